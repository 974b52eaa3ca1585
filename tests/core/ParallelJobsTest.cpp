// runInParallel: every job runs exactly once, on as many threads as asked (at most one per job);
// a job's exception comes back to the caller (before, it ended the process from its thread) and
// stops the jobs not yet begun.
#include <QtTest>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "ParallelJobs.h"

using namespace ipnp;

class ParallelJobsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyJobRunsOnceOnTheThreadsAskedFor() {
        std::vector<std::atomic<int>> runs(1000);
        std::mutex idsMutex;
        std::set<std::thread::id> ids;
        runInParallel(runs.size(), 4, [&](std::size_t n) {
            ++runs[n];
            const std::lock_guard<std::mutex> lock(idsMutex);
            ids.insert(std::this_thread::get_id());
        });
        for (const auto& count : runs) QCOMPARE(count.load(), 1);
        QVERIFY(ids.size() >= 1 && ids.size() <= 4);

        // Two jobs on eight threads: two threads at most, the caller one of them.
        ids.clear();
        runInParallel(2, 8, [&](std::size_t) {
            const std::lock_guard<std::mutex> lock(idsMutex);
            ids.insert(std::this_thread::get_id());
        });
        QVERIFY(ids.size() <= 2);
        int none = 0;
        runInParallel(0, 4, [&](std::size_t) { ++none; });
        QCOMPARE(none, 0);
    }

    void aJobsExceptionReachesTheCallerAndStopsTheRest() {
        // One thread: jobs 0..5 run in order, job 5 throws, 6..99 never start (hand count: 6).
        int ran = 0;
        try {
            runInParallel(100, 1, [&](std::size_t n) {
                ++ran;
                if (n == 5) throw std::runtime_error("job 5 failed");
            });
            QFAIL("no exception came back");
        } catch (const std::runtime_error& error) {
            QCOMPARE(QString(error.what()), QString("job 5 failed"));
        }
        QCOMPARE(ran, 6);

        // Four threads, every job throws: one exception comes back, after all threads joined
        // (the counter is read after the call; jobs begun before the stop may still finish).
        std::atomic<int> begun{0};
        bool caught = false;
        try {
            runInParallel(1000, 4, [&](std::size_t) {
                ++begun;
                throw std::logic_error("every job fails");
            });
        } catch (const std::logic_error&) {
            caught = true;
        }
        QVERIFY(caught);
        QVERIFY(begun.load() >= 1 && begun.load() <= 4);  // each thread stops at its first job
    }
};

QTEST_APPLESS_MAIN(ParallelJobsTest)
#include "ParallelJobsTest.moc"
