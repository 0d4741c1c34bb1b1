#pragma once

#include <QLabel>

#include <cstdint>

namespace bourse::ui {

// A one-line label whose text takes the colour of a tone: a gain, a loss, a warning or an
// alarm. It reads the colour from theme:: each time it paints, so a theme switch followed by
// update() repaints it correctly, which a palette set once would not.
class RiskToneLabel : public QLabel {
    Q_OBJECT

public:
    enum class Tone { Plain, Muted, Gain, Loss, Warning, Alarm };

    explicit RiskToneLabel(QWidget *parent = nullptr);

    void setTone(Tone tone);
    Tone tone() const { return m_tone; }

    // Returns the text colour of a tone in the current theme. Plain is the theme's text colour.
    static QColor colorOf(Tone tone);

    // The tone of a signed amount: Gain above zero, Loss below, Plain at zero.
    static Tone toneOfSign(std::int64_t amount);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Tone m_tone = Tone::Plain;
};

} // namespace bourse::ui
