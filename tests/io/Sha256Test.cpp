#include <QTemporaryDir>
#include <QtTest>

#include "Sha256.h"
#include "TestSupport.h"

using namespace ipnp;

class Sha256Test : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void knownVector() {
        // FIPS 180-2, appendix B.1.
        QCOMPARE(QString::fromStdString(Sha256::ofBytes("abc", 3)),
                 QString("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    }
    void fileHashMatchesSha256sum() {
        QTemporaryDir dir;
        const QString path = dir.filePath("data.bin");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray bytes;
        for (int n = 0; n < 3'000'000; ++n) bytes.append(char(n * 31 + (n >> 7)));
        file.write(bytes);
        file.close();
        const auto result = test::runProgram("sha256sum", {path});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(QString::fromStdString(Sha256::ofFile(path.toStdString())), result.out.section(' ', 0, 0));
    }
};

QTEST_APPLESS_MAIN(Sha256Test)
#include "Sha256Test.moc"
