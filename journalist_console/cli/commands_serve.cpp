// serve: the console's web face (journalist_console/web). docs/console.md "Web face".
#include <memory>

#include "journalist_console/cli/commands.h"
#include "journalist_console/web/serve.h"

namespace sealdrop::console {

void AddServeCommand(CLI::App& app, int& exit_code) {
  struct Options {
    web::ServeOptions serve;
    long long idle_seconds = 15 * 60;
  };
  auto o = std::make_shared<Options>();
  auto* serve = app.add_subcommand("serve", "Run the console as a local web application (127.0.0.1 or a unix socket)");
  serve->add_option("--data", o->serve.data, "Console directory")->required();
  serve->add_option("--listen", o->serve.listen, "127.0.0.1:PORT (0: any free port) or unix:/PATH")
      ->required();
  serve->add_option("--media", o->serve.media,
                    "The removable media's mount point: its bundles are imported and the outbox "
                    "written there from the Removable media page");
  serve->add_option("--idle-seconds", o->idle_seconds,
                    "Sign an officer out after this long without a request (default 900)");
  serve->callback([o, &exit_code] {
    o->serve.idle = std::chrono::seconds(o->idle_seconds);
    exit_code = web::Serve(o->serve);
  });
}

}  // namespace sealdrop::console
