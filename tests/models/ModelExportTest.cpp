// The exported TorchScript specialist is loadable without this app: /usr/bin/python3's
// torch.jit.load runs it on the same input and gives the C++ network's logits.
#include <torch/torch.h>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "Checkpoint.h"
#include "ModelExport.h"
#include "UNet3d.h"

using namespace ipnp;

namespace {
void writeRaw(const QString& path, const torch::Tensor& tensor) {
    const torch::Tensor data = tensor.contiguous().to(torch::kFloat32);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(reinterpret_cast<const char*>(data.data_ptr<float>()), data.numel() * 4);
}
}  // namespace

class ModelExportTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pythonRunsTheExportedNetwork() {
        QProcess probe;
        probe.start("/usr/bin/python3", {"-c", "import torch, numpy"});
        probe.waitForFinished(60000);
        if (probe.exitCode() != 0) QSKIP("/usr/bin/python3 lacks torch (apt-get install python3-torch)");

        QTemporaryDir dir;
        TrainingPlan plan;
        plan.organs = {1, 6, 9};
        plan.patchSize = {16, 16, 16};
        plan.network.stages = 3;
        plan.network.baseWidth = 4;
        torch::manual_seed(11);
        UNet3d model(plan.network, 1, plan.channels());
        {
            // Non-trivial affine norms, so their export is checked too.
            torch::NoGradGuard guard;
            for (auto& item : model->named_parameters())
                if (item.key().find("norm") != std::string::npos) item.value().uniform_(0.5, 1.5);
        }
        const std::string checkpoint = dir.filePath("c.pt").toStdString();
        saveCheckpoint(checkpoint, model, nullptr, plan, {1, 1, 0, 0});
        exportSpecialist(checkpoint, dir.filePath("export").toStdString());
        QVERIFY(QFile::exists(dir.filePath("export/plan.json")));

        const torch::Tensor input = torch::randn({1, 1, 16, 12, 8});
        model->eval();
        torch::NoGradGuard guard;
        const torch::Tensor expected = model->forward(input).front();
        writeRaw(dir.filePath("input.raw"), input);
        writeRaw(dir.filePath("expected.raw"), expected);
        const char* script =
            "import sys, json, numpy as np, torch\n"
            "m = torch.jit.load(sys.argv[1] + '/export/specialist.pt')\n"
            "plan = json.load(open(sys.argv[1] + '/export/plan.json'))\n"
            "x = torch.from_numpy(np.fromfile(sys.argv[1] + '/input.raw', dtype=np.float32).reshape(1, 1, 16, 12, 8))\n"
            "e = np.fromfile(sys.argv[1] + '/expected.raw', dtype=np.float32).reshape(1, plan['channels'], 16, 12, 8)\n"
            "with torch.no_grad():\n"
            "    y = m(x).numpy()\n"
            "print(float(np.abs(y - e).max()), y.shape[1], plan['organs'])\n";
        QProcess python;
        python.start("/usr/bin/python3", {"-c", script, dir.path()});
        QVERIFY(python.waitForFinished(120000));
        const QString out = QString::fromUtf8(python.readAllStandardOutput()).trimmed();
        QVERIFY2(python.exitCode() == 0, qPrintable(QString::fromUtf8(python.readAllStandardError())));
        const QStringList fields = out.split(' ');
        QVERIFY2(fields.value(0).toDouble() < 1e-4, qPrintable(out));
        QCOMPARE(fields.value(1).toInt(), 4);
        QVERIFY(out.endsWith("[1, 6, 9]"));
    }
};

QTEST_APPLESS_MAIN(ModelExportTest)
#include "ModelExportTest.moc"
