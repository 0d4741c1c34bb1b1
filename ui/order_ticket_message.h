#pragma once

#include "elided_label.h"

namespace bourse::ui {

// One line of feedback under a trading panel: why an order cannot be sent, or what was sent.
// The text colour comes from the theme when the line is painted, so a theme switch shows at the
// next repaint.
class MessageLine : public ElidedLabel {
    Q_OBJECT

public:
    // Hint: muted, such as what a field expects. Problem: why nothing can be sent. Report: what
    // was sent or what the session returned.
    enum class Tone { Hint, Problem, Report };

    explicit MessageLine(QWidget *parent = nullptr);

    void setMessage(const QString &text, Tone tone);
    Tone tone() const { return m_tone; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Tone m_tone = Tone::Hint;
};

} // namespace bourse::ui
