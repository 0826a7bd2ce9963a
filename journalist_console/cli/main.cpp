#include "journalist_console/cli/commands.h"

int main(int argc, char** argv) { return sealdrop::console::RunConsole(argc, argv); }
