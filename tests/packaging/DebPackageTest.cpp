// The Debian package as a user gets it: `cpack -G DEB` in this build, the package's control fields
// read back with dpkg-deb, its files unpacked with `dpkg -x` into a temporary root, and both
// executables run from there.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include "TestSupport.h"

using namespace ipnp::test;

class DebPackageTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void packageInstallsAndRuns() {
        QTemporaryDir dir;
        const QString out = dir.filePath("deb");
        ProcessResult cpack = runProgram("cpack", {"-G", "DEB", "--config", IPNP_BINARY_DIR "/CPackConfig.cmake", "-B", out},
                                         IPNP_BINARY_DIR, 600);
        QVERIFY2(cpack.exitCode == 0, qPrintable(cpack.out + cpack.err));
        const QStringList debs = QDir(out).entryList({"ipnp-studio_*.deb"}, QDir::Files);
        QCOMPARE(debs.size(), 1);
        const QString deb = QDir(out).filePath(debs.first());

        // Dependencies: the shared libraries the executables link (found by dpkg-shlibdeps), and
        // the run-time plugins they load without linking.
        const ProcessResult depends = runProgram("dpkg-deb", {"-f", deb, "Depends"});
        QCOMPARE(depends.exitCode, 0);
        for (const char* package : {"libqt6widgets6", "libqt6openglwidgets6", "libqt6charts6", "libvtk9.1", "libtorch1.13",
                                    "libinsighttoolkit5.2", "libsqlite3-0", "qt6-qpa-plugins", "libgl1-mesa-dri"})
            QVERIFY2(depends.out.contains(package), qPrintable(QString("%1 missing from: %2").arg(package, depends.out)));

        const QString root = dir.filePath("root");
        QCOMPARE(runProgram("dpkg", {"-x", deb, root}).exitCode, 0);
        for (const char* file : {"usr/bin/ipnp", "usr/bin/ipnp-studio", "usr/share/applications/ipnp-studio.desktop",
                                 "usr/share/icons/hicolor/scalable/apps/ipnp-studio.svg",
                                 "usr/share/metainfo/io.github.ipnp.IPnPStudio.metainfo.xml"})
            QVERIFY2(QFile::exists(QDir(root).filePath(file)), file);
        const ProcessResult version = runProgram(QDir(root).filePath("usr/bin/ipnp"), {"--version"});
        QVERIFY2(version.exitCode == 0, qPrintable(version.err));
        QCOMPARE(version.out.trimmed(), QString("ipnp " IPNP_VERSION));
        qputenv("QT_QPA_PLATFORM", "offscreen");  // --version opens no window
        const ProcessResult studio = runProgram(QDir(root).filePath("usr/bin/ipnp-studio"), {"--version"});
        QVERIFY2(studio.exitCode == 0, qPrintable(studio.err));
        QVERIFY2(studio.out.contains(IPNP_VERSION), qPrintable(studio.out));
    }
};

QTEST_GUILESS_MAIN(DebPackageTest)
#include "DebPackageTest.moc"
