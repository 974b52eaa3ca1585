// dataset.json in both layouts, the shipped organ schemas, and the phantom dataset on disk.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "BuiltinSchemas.h"
#include "DatasetDescription.h"
#include "Error.h"
#include "ImageFile.h"
#include "OrganSchemaFile.h"
#include "PhantomDataset.h"

using namespace ipnp;

namespace {
void writeText(const QString& path, const QByteArray& text) {
    std::filesystem::create_directories(std::filesystem::path(path.toStdString()).parent_path());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}
OrganSchema builtin(const char* name) { return organSchemaFromJson(builtinSchemaJson().at(name), name); }
}  // namespace

class DatasetFilesTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void amosSpellingsMapToTheAmosSchema() {
        const OrganSchema amos = builtin("amos15");
        QCOMPARE(amos.size(), std::size_t(15));
        // AMOS's own dataset.json label names, index for index.
        const char* amosNames[] = {"spleen", "right kidney", "left kidney", "gall bladder", "esophagus",
                                   "liver", "stomach", "arota", "postcava", "pancreas",
                                   "right adrenal gland", "left adrenal gland", "duodenum", "bladder",
                                   "prostate/uterus"};
        for (int n = 0; n < 15; ++n) {
            const Organ* organ = amos.byName(amosNames[n]);
            QVERIFY2(organ, amosNames[n]);
            QCOMPARE(organ->index, n + 1);
        }
        QCOMPARE(amos.byName("V_Venacava_I")->index, 9);  // TG-263
        QCOMPARE(amos.byName("Kidney_L")->index, 3);
    }

    void headAndNeckSchemaKnowsClinicalSpellings() {
        const OrganSchema hn = builtin("head-neck-oar");
        QVERIFY(hn.size() >= 20);
        QCOMPARE(hn.byName("Parotid_L")->name, std::string("Parotid_L"));
        QCOMPARE(hn.byName("Lt Parotid")->name, std::string("Parotid_L"));
        QCOMPARE(hn.byName("brain stem")->name, std::string("Brainstem"));
        QCOMPARE(hn.byName("Spinal Cord")->name, std::string("SpinalCord"));
        QCOMPARE(hn.byName("Mandible")->name, std::string("Bone_Mandible"));
    }

    void schemaJsonRoundTrips() {
        const OrganSchema amos = builtin("amos15");
        const OrganSchema again = organSchemaFromJson(organSchemaToJson(amos), "round trip");
        QCOMPARE(again.size(), amos.size());
        for (std::size_t n = 0; n < amos.size(); ++n) {
            QCOMPARE(again.organs()[n].name, amos.organs()[n].name);
            QCOMPARE(again.organs()[n].colour, amos.organs()[n].colour);
            QCOMPARE(again.organs()[n].synonyms, amos.organs()[n].synonyms);
        }
        QVERIFY_THROWS_EXCEPTION(Error, organSchemaFromJson("{\"organs\": [{\"index\": 1}]}", "x.json"));
        QVERIFY_THROWS_EXCEPTION(Error, organSchemaFromJson("not json", "x.json"));
    }

    void decathlonLayoutIsRead() {
        QTemporaryDir dir;
        writeText(dir.filePath("dataset.json"), R"({"name": "AMOS", "modality": {"0": "CT"},
            "labels": {"0": "background", "1": "spleen", "4": "gall bladder", "9": "postcava"},
            "training": [{"image": "./imagesTr/amos_0001.nii.gz", "label": "./labelsTr/amos_0001.nii.gz"},
                         {"image": "./imagesTr/amos_0002.nii.gz", "label": "./labelsTr/amos_0002.nii.gz"}]})");
        const DatasetDescription d = readDatasetDescription(dir.path().toStdString());
        QCOMPARE(d.layout, DatasetLayout::Decathlon);
        QCOMPARE(d.modality, std::string("CT"));
        QCOMPARE(d.labels.size(), std::size_t(3));
        QCOMPARE(d.labels.at(9), std::string("postcava"));
        QCOMPARE(d.cases.size(), std::size_t(2));
        QCOMPARE(d.cases[1].name, std::string("amos_0002"));
        QCOMPARE(QString::fromStdString(*d.cases[0].label), dir.filePath("labelsTr/amos_0001.nii.gz"));
    }

    void nnunetV2LayoutIsRead() {
        QTemporaryDir dir;
        writeText(dir.filePath("dataset.json"), R"({"channel_names": {"0": "T2", "1": "ADC"},
            "labels": {"background": 0, "liver": 1, "spleen": 2}, "numTraining": 2, "file_ending": ".nii.gz"})");
        for (const char* file : {"imagesTr/case_a_0000.nii.gz", "imagesTr/case_a_0001.nii.gz", "imagesTr/case_b_0000.nii.gz",
                                 "labelsTr/case_a.nii.gz"})
            writeText(dir.filePath(file), "x");
        const DatasetDescription d = readDatasetDescription(dir.path().toStdString());
        QCOMPARE(d.layout, DatasetLayout::NnUNetV2);
        QCOMPARE(d.modality, std::string("MR"));
        QCOMPARE(d.labels.at(2), std::string("spleen"));
        QCOMPARE(d.cases.size(), std::size_t(2));  // channel 1 is not a case
        QCOMPARE(d.cases[0].name, std::string("case_a"));
        QVERIFY(d.cases[0].label.has_value());
        QVERIFY(!d.cases[1].label.has_value());
        QCOMPARE(d.warnings.size(), std::size_t(1));  // the ignored ADC channel is reported
    }

    void malformedDatasetJsonIsNamed() {
        QTemporaryDir dir;
        writeText(dir.filePath("dataset.json"), "{\"labels\": ");
        try {
            readDatasetDescription(dir.path().toStdString());
            QFAIL("no error");
        } catch (const Error& error) {
            QVERIFY(QString(error.what()).contains("dataset.json"));
        }
    }

    void phantomDatasetIsAnAmosLayout() {
        QTemporaryDir dir;
        PhantomDatasetOptions options;
        options.count = 3;
        options.phantom.size = {32, 32, 32};
        options.phantom.spacing = {6, 6, 6};
        writePhantomDataset(dir.path().toStdString(), options);
        const DatasetDescription d = readDatasetDescription(dir.path().toStdString());
        QCOMPARE(d.cases.size(), std::size_t(3));
        QCOMPARE(d.labels.size(), std::size_t(9));
        const OrganSchema amos = builtin("amos15");
        for (const auto& [value, name] : d.labels) QCOMPARE(amos.byName(name)->index, value);
        const ImageHeader image = readImageHeader(d.cases[2].image);
        QCOMPARE(image.componentType, ComponentType::Int16);
        QCOMPARE(image.geometry.size, (std::array<std::size_t, 3>{32, 32, 32}));
        QVERIFY(image.geometry.sameGrid(readImageHeader(*d.cases[2].label).geometry));
        QVERIFY_THROWS_EXCEPTION(Error, writePhantomDataset(dir.path().toStdString(), options));  // never overwrites
    }
};

QTEST_APPLESS_MAIN(DatasetFilesTest)
#include "DatasetFilesTest.moc"
