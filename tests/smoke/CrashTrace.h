#pragma once
// For the smoke programs, which run on remote machines where nobody attaches a debugger: stdout
// line-buffered (so what was printed before a crash is not lost with the buffer) and, on SIGSEGV,
// SIGBUS, SIGFPE or SIGABRT, where it happened (the faulting instruction's library and symbol, or
// for a call through a null pointer its caller's) and a backtrace on stderr, before the signal does
// what it would have done. The handler runs on its own stack (a stack overflow still reports) and
// writes with write(2); backtrace() is called once beforehand, because its first call loads
// libgcc_s (dlopen allocates, which a crash inside malloc must not wait for).
#include <dlfcn.h>
#include <execinfo.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <initializer_list>

namespace ipnp::smoke {

inline void writeError(const char* text) { (void)!::write(2, text, std::strlen(text)); }

inline void printBacktraceAndReraise(int signal, siginfo_t* info, void* context) {
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
    char line[512];
    for (void* address : {pc, caller}) {
        if (!address) continue;
        Dl_info where{};
        ::dladdr(address, &where);
        std::snprintf(line, sizeof line, "%s %p in %s (%s)\n", address == pc ? "crashed at" : "called from", address,
                      where.dli_fname ? where.dli_fname : "?", where.dli_sname ? where.dli_sname : "?");
        writeError(line);
    }
    std::snprintf(line, sizeof line, "signal %d, address %p; backtrace:\n", signal, info->si_addr);
    writeError(line);
    void* frames[64];
    ::backtrace_symbols_fd(frames, ::backtrace(frames, 64), 2);
    ::raise(signal);  // SA_RESETHAND put the default action back
}

inline void installCrashTrace() {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    void* warmUp[1];
    ::backtrace(warmUp, 1);
    static char alternateStack[64 * 1024];
    stack_t stack{};
    stack.ss_sp = alternateStack;
    stack.ss_size = sizeof alternateStack;
    ::sigaltstack(&stack, nullptr);
    struct sigaction action {};
    action.sa_sigaction = printBacktraceAndReraise;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    for (const int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGABRT}) ::sigaction(signal, &action, nullptr);
}

}  // namespace ipnp::smoke
