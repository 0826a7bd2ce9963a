#include "journalist_console/commands.h"

int main(int argc, char** argv) { return sealdrop::console::RunConsole(argc, argv); }
