// sealdrop-intake: phone intake without plaintext on the server (docs/intake.md). A call handler
// takes a report by phone (prompts, or a filled form file); this tool verifies the signed
// directory, makes the caller's codename, seals the report on this machine to the force's keys
// and sends only the envelope, with the codename's auth value (never the codename), through the
// force API signed with the handler's organisation's transfer key.
#pragma once

namespace sealdrop::intake {

// Runs the whole command line; returns the process exit status (0 ok, 1 failure, 2 usage).
int RunIntake(int argc, char** argv);

}  // namespace sealdrop::intake
