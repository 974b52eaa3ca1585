#include "CoverageTableModel.h"

#include <QRegularExpression>

namespace ipnp {

CoverageTableModel::CoverageTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void CoverageTableModel::setMatrix(CoverageMatrix matrix, std::vector<std::int64_t> scanIds, CellDescriber describeCell) {
    beginResetModel();
    matrix_ = std::move(matrix);
    scanIds_ = std::move(scanIds);
    describeCell_ = std::move(describeCell);
    endResetModel();
}

int CoverageTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(matrix_.scans().size());
}

int CoverageTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(matrix_.organs().size());
}

QColor CoverageTableModel::colourOf(CoverageState state) {
    switch (state) {
        case CoverageState::Manual: return QColor(56, 158, 92);
        case CoverageState::PseudoAccepted: return QColor(70, 136, 214);
        case CoverageState::PseudoPending: return QColor(232, 164, 40);
        case CoverageState::Rejected: return QColor(196, 68, 68);
        case CoverageState::Absent: return QColor(120, 120, 120);
        case CoverageState::Unknown: return QColor(44, 47, 56);
    }
    return {};
}

QString CoverageTableModel::labelOf(CoverageState state) { return QString::fromLatin1(toString(state)); }

QVariant CoverageTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    const CoverageState state = matrix_.state(std::size_t(index.row()), std::size_t(index.column()));
    switch (role) {
        case Qt::DisplayRole: {
            const char symbol = coverageStateSymbol(state);
            return symbol == '.' ? QString() : QString(QChar(symbol));
        }
        case Qt::BackgroundRole: return colourOf(state);
        case Qt::ForegroundRole: return QColor(Qt::white);
        case Qt::TextAlignmentRole: return int(Qt::AlignCenter);
        case Qt::ToolTipRole: {
            const QString head = QString("%1 — %2").arg(QString::fromStdString(matrix_.scans()[std::size_t(index.row())].name),
                                                        QString::fromStdString(matrix_.organs()[std::size_t(index.column())].name));
            return describeCell_ ? head + "\n" + describeCell_(index.row(), index.column()) : head + "\n" + labelOf(state);
        }
        case kStateRole: return int(stateSlot(state));
        default: return {};
    }
}

QString CoverageTableModel::abbreviationOf(const QString& organName) {
    const QStringList parts = organName.split('/', Qt::SkipEmptyParts);
    if (parts.size() > 1) {
        QStringList initials;
        for (const QString& part : parts) initials << part.trimmed().left(1).toUpper();
        return initials.join('/');
    }
    const QStringList words = organName.split(QRegularExpression("[\\s_-]+"), Qt::SkipEmptyParts);
    if (words.size() > 1) {
        QString initials;
        for (const QString& word : words) initials += word.left(1).toUpper();
        return initials;
    }
    return organName.left(1).toUpper() + organName.mid(1, 2);
}

QVariant CoverageTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
    if (orientation == Qt::Horizontal) {
        if (section < 0 || std::size_t(section) >= matrix_.organs().size()) return {};
        const QString name = QString::fromStdString(matrix_.organs()[std::size_t(section)].name);
        return role == Qt::ToolTipRole ? name : abbreviationOf(name);
    }
    if (section < 0 || std::size_t(section) >= matrix_.scans().size()) return {};
    const auto& scan = matrix_.scans()[std::size_t(section)];
    return role == Qt::ToolTipRole ? QString("%1 (%2)").arg(QString::fromStdString(scan.name), QString::fromStdString(scan.split))
                                   : QString::fromStdString(scan.name);
}

CoverageFilterModel::CoverageFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {}

void CoverageFilterModel::setNameFilter(const QString& text) {
    name_ = text;
    invalidateFilter();
}

void CoverageFilterModel::setStateFilter(std::optional<CoverageState> state) {
    state_ = state;
    invalidateFilter();
}

bool CoverageFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex&) const {
    auto* model = static_cast<const CoverageTableModel*>(sourceModel());
    const auto& matrix = model->matrix();
    if (!name_.isEmpty() &&
        !QString::fromStdString(matrix.scans()[std::size_t(sourceRow)].name).contains(name_, Qt::CaseInsensitive))
        return false;
    if (!state_) return true;
    for (std::size_t column = 0; column < matrix.organs().size(); ++column)
        if (matrix.state(std::size_t(sourceRow), column) == *state_) return true;
    return false;
}

bool CoverageFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    // Cells sort by state in the legend's order (manual first), then by scan name.
    const int a = left.data(CoverageTableModel::kStateRole).toInt(), b = right.data(CoverageTableModel::kStateRole).toInt();
    if (a != b) return a < b;
    return sourceModel()->headerData(left.row(), Qt::Vertical, Qt::DisplayRole).toString() <
           sourceModel()->headerData(right.row(), Qt::Vertical, Qt::DisplayRole).toString();
}

}  // namespace ipnp
