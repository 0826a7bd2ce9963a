// sealdrop-transfer: see run_transfer.h.
#include "journalist_console/transfer/run_transfer.h"

int main(int argc, char** argv) { return sealdrop::transfer::RunTransfer(argc, argv); }
