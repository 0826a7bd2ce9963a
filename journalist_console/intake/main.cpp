// sealdrop-intake: see run_intake.h.
#include "journalist_console/intake/run_intake.h"

int main(int argc, char** argv) { return sealdrop::intake::RunIntake(argc, argv); }
