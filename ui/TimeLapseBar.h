#pragma once
// The round slider: shows the open scan's labels as they stood after each round (0 = the partial
// labels before any round, the right end = now), and exports that sequence as PNG frames of the
// axial view for a presentation.
#include <QWidget>
#include <functional>
#include <vector>

class QLabel;
class QPushButton;
class QSlider;

namespace ipnp {

class TimeLapseBar : public QWidget {
    Q_OBJECT
public:
    explicit TimeLapseBar(QWidget* parent = nullptr);

    // The rounds that reached review (ascending); the slider gets one stop per round, plus 0 and "now".
    void setRounds(std::vector<int> rounds);
    const std::vector<int>& rounds() const { return rounds_; }
    // Moves the slider: a round number from rounds() or 0; -1 = now.
    void showRound(int round);
    int shownRound() const;  // -1 = now

Q_SIGNALS:
    void roundChosen(int round);  // -1 = now
    void exportRequested();

private:
    QSlider* slider_;
    QLabel* caption_;
    QPushButton* export_;
    std::vector<int> rounds_;
};

}  // namespace ipnp
