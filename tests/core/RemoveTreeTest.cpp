// removeTree (core/RemoveTree.h), which the code uses instead of std::filesystem::remove_all: a
// folder of 3 files in 2 sub-folders is 6 entries with itself; a symbolic link goes, what it points
// to stays; a missing path is no error; a path that cannot be reached says so and names itself.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

#include "Error.h"
#include "RemoveTree.h"
#include "TestSupport.h"

using namespace ipnp;

namespace {
void writeFile(const QString& path) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("x");
}
}  // namespace

class RemoveTreeTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void removesAFolderWithWhatItHolds() {
        QTemporaryDir dir;
        const QString tree = dir.filePath("tree");
        QVERIFY(QDir().mkpath(tree + "/a/b"));
        writeFile(tree + "/one");
        writeFile(tree + "/a/two");
        writeFile(tree + "/a/b/three");
        // tree, a, b, one, two, three
        std::error_code error;
        QCOMPARE(removeTree(tree.toStdString(), error), std::uintmax_t(6));
        QVERIFY(!error);
        QVERIFY(!QFileInfo::exists(tree));
        QVERIFY(QFileInfo::exists(dir.path()));
    }

    void aLinkGoesWhatItPointsToStays() {
        QTemporaryDir dir;
        QVERIFY(QDir().mkpath(dir.filePath("kept")));
        writeFile(dir.filePath("kept/data"));
        QVERIFY(QDir().mkpath(dir.filePath("tree")));
        const QByteArray target = dir.filePath("kept").toLocal8Bit(), link = dir.filePath("tree/link").toLocal8Bit();
        QVERIFY(::symlink(target.constData(), link.constData()) == 0);
        QCOMPARE(removeTree(dir.filePath("tree").toStdString()), std::uintmax_t(2));
        QVERIFY(!QFileInfo::exists(dir.filePath("tree")));
        QVERIFY(QFileInfo::exists(dir.filePath("kept/data")));
    }

    void aSingleFileAndAMissingPath() {
        QTemporaryDir dir;
        writeFile(dir.filePath("file"));
        QCOMPARE(removeTree(dir.filePath("file").toStdString()), std::uintmax_t(1));
        std::error_code error;
        QCOMPARE(removeTree(dir.filePath("nothing").toStdString(), error), std::uintmax_t(0));
        QVERIFY(!error);
    }

    void aPathThatCannotBeReachedSaysSo() {
        // "file/inside" where file is a regular file: ENOTDIR (root, as CI runs, may delete from
        // read-only folders, so a permission case would not fail there).
        QTemporaryDir dir;
        writeFile(dir.filePath("file"));
        const std::string path = dir.filePath("file/inside").toStdString();
        std::error_code error;
        QCOMPARE(removeTree(path, error), std::uintmax_t(0));
        QCOMPARE(error, std::make_error_code(std::errc::not_a_directory));
        const QString message = test::errorOf([&] { removeTree(path); });
        QVERIFY2(message.contains(QString::fromStdString(path)) && message.contains("cannot delete"),
                 qPrintable(message));
        QVERIFY(QFileInfo::exists(dir.filePath("file")));
    }
};

QTEST_GUILESS_MAIN(RemoveTreeTest)
#include "RemoveTreeTest.moc"
