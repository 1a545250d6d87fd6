// doc_server: an application server that embeds a tenantlog store and serves
// tenants' documents over HTTP/JSON (the routes are in routes.h).
//
//   doc_server --db DIR [--host 127.0.0.1] [--port 0] [--threads 8]
//
// Prints "listening on HOST:PORT" as its first line on stdout once it accepts
// connections (--port 0: any free port). Stops cleanly on SIGINT or SIGTERM:
// requests in flight finish, then the store is closed. The admin tool may
// work on the same store meanwhile; the server sees its changes at its next
// read.

#include <httplib.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "routes.h"
#include "tenantlog/options.h"
#include "tenantlog/store.h"

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct Flags {
  std::string db;
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 8;
};

// Waits for one of `signals`, then stops `server`. stop() has no effect
// until the server runs, so it is repeated until `done` (listen returned).
void StopOnSignal(httplib::Server& server, const sigset_t& signals, const std::atomic<bool>& done) {
  const timespec tick{0, 50'000'000};  // 50 ms
  while (!done && sigtimedwait(&signals, nullptr, &tick) < 0) {
  }
  while (!done) {
    server.stop();
    nanosleep(&tick, nullptr);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  CLI::App app{"Serve tenants' documents over HTTP/JSON from a tenantlog store.", "doc_server"};
  app.add_option("--db", flags.db, "Store directory (created if missing)")->required();
  app.add_option("--host", flags.host, "Address to listen on")->capture_default_str();
  app.add_option("--port", flags.port, "Port to listen on; 0: any free port")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  app.add_option("--threads", flags.threads, "Worker threads serving requests")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : kExitUsage;
  }

  // SIGINT and SIGTERM are taken by StopOnSignal only: blocked here, before
  // any thread starts, so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::unique_ptr<tenantlog::Store> store;
  tenantlog::Status s = tenantlog::Store::Open(tenantlog::Options(), flags.db, &store);
  if (!s.ok()) {
    std::fprintf(stderr, "doc_server: %s\n", s.ToString().c_str());
    return kExitFailure;
  }

  httplib::Server server;
  doc_server::AddRoutes(server, *store);
  server.set_payload_max_length(tenantlog::Options().max_payload_bytes);
  // httplib's default adds SO_REUSEPORT, which would let a second server
  // share a port already in use instead of failing.
  server.set_socket_options([](int socket) {
    const int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  const size_t threads = static_cast<size_t>(flags.threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };

  const int port = flags.port == 0 ? server.bind_to_any_port(flags.host)
                   : server.bind_to_port(flags.host, flags.port) ? flags.port
                                                                  : -1;
  if (port < 0) {
    std::fprintf(stderr, "doc_server: cannot listen on %s:%d\n", flags.host.c_str(), flags.port);
    return kExitFailure;
  }
  std::printf("listening on %s:%d\n", flags.host.c_str(), port);
  std::fflush(stdout);

  std::atomic<bool> done{false};
  std::thread stopper(StopOnSignal, std::ref(server), std::cref(stop_signals), std::cref(done));
  const bool served = server.listen_after_bind();
  done = true;
  stopper.join();
  if (!served) {
    std::fprintf(stderr, "doc_server: the listening socket failed\n");
    return kExitFailure;
  }
  return 0;
}
