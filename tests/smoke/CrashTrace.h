#pragma once
// For the smoke programs, which run on remote machines where nobody attaches a debugger: stdout
// line-buffered (so what was printed before a crash is not lost with the buffer) and, on SIGSEGV,
// SIGBUS, SIGFPE or SIGABRT, a backtrace on stderr before the signal does what it would have done.
#include <dlfcn.h>
#include <execinfo.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdio>

namespace ipnp::smoke {

inline void printBacktraceAndReraise(int signal, siginfo_t* info, void* context) {
    // The faulting instruction and the library it is in (a backtrace cannot always unwind past it).
    // A call through a null pointer leaves pc 0 and the caller's return address on top of the stack.
    void* pc = nullptr;
    void* caller = nullptr;
#if defined(__x86_64__)
    const auto& registers = static_cast<const ucontext_t*>(context)->uc_mcontext.gregs;
    pc = reinterpret_cast<void*>(registers[REG_RIP]);
    if (!pc) caller = *reinterpret_cast<void* const*>(registers[REG_RSP]);
#else
    (void)context;
#endif
    for (void* address : {pc, caller}) {
        if (!address) continue;
        Dl_info where{};
        ::dladdr(address, &where);
        std::fprintf(stderr, "%s %p in %s (%s)\n", address == pc ? "crashed at" : "called from", address,
                     where.dli_fname ? where.dli_fname : "?", where.dli_sname ? where.dli_sname : "?");
    }
    std::fprintf(stderr, "signal %d, address %p; backtrace:\n", signal, info->si_addr);
    void* frames[64];
    ::backtrace_symbols_fd(frames, ::backtrace(frames, 64), 2);
    ::signal(signal, SIG_DFL);
    ::raise(signal);
}

inline void installCrashTrace() {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    struct sigaction action {};
    action.sa_sigaction = printBacktraceAndReraise;
    action.sa_flags = SA_SIGINFO;
    for (const int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGABRT}) ::sigaction(signal, &action, nullptr);
}

}  // namespace ipnp::smoke
