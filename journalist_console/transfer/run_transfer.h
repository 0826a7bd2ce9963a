// sealdrop-transfer: the force's online transfer workstation (docs/force-api.md, docs/bundle.md).
// It holds the force's transfer key — never the decryption key — and moves sealed items:
//   pull  every item the server holds for the force → one bundle on removable media (the server
//         keeps them until the console's import receipt comes back)
//   push  an outbox bundle from the console → the server (replies, forwards, import receipt)
#pragma once

namespace sealdrop::transfer {

// Runs the whole command line; returns the process exit status (0 ok, 1 failure, 2 usage).
int RunTransfer(int argc, char** argv);

}  // namespace sealdrop::transfer
