#pragma once
// The coverage matrix as a Qt table: one row per scan, one column per organ, each cell coloured
// by its CoverageState with a one-letter symbol and a provenance tooltip. CoverageFilterModel
// sorts (by scan name, or by an organ column's state) and filters (scan name text, state).
#include <QAbstractTableModel>
#include <QColor>
#include <QSortFilterProxyModel>
#include <functional>
#include <optional>

#include "CoverageMatrix.h"

namespace ipnp {

class CoverageTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    // `describeCell(scanRow, organColumn)` gives the tooltip, asked only when one is shown.
    using CellDescriber = std::function<QString(int row, int column)>;
    explicit CoverageTableModel(QObject* parent = nullptr);

    void setMatrix(CoverageMatrix matrix, std::vector<std::int64_t> scanIds, CellDescriber describeCell);
    const CoverageMatrix& matrix() const { return matrix_; }
    std::int64_t scanIdOfRow(int row) const { return scanIds_.at(std::size_t(row)); }
    int organIndexOfColumn(int column) const { return matrix_.organs().at(std::size_t(column)).index; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QColor colourOf(CoverageState state);
    // A column header that fits a narrow cell: initials of a multi-word name ("inferior vena
    // cava" -> "IVC", "prostate/uterus" -> "P/U"), else the first three letters ("liver" -> "Liv").
    static QString abbreviationOf(const QString& organName);
    static QString labelOf(CoverageState state);  // "manual", "pseudo-accepted", ... for the legend
    static constexpr int kStateRole = Qt::UserRole + 1;  // the cell's CoverageState as int

private:
    CoverageMatrix matrix_{{}, {}};
    std::vector<std::int64_t> scanIds_;
    CellDescriber describeCell_;
};

class CoverageFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit CoverageFilterModel(QObject* parent = nullptr);
    void setNameFilter(const QString& text);
    // Keep only scans with at least one cell in this state (nullopt: all scans).
    void setStateFilter(std::optional<CoverageState> state);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QString name_;
    std::optional<CoverageState> state_;
};

}  // namespace ipnp
