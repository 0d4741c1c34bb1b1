#include "risk_tone_label.h"

#include "risk_colors.h"
#include "theme.h"

#include <QPainter>
#include <QStyle>

namespace bourse::ui {

RiskToneLabel::RiskToneLabel(QWidget *parent)
    : QLabel(parent)
{
}

void RiskToneLabel::setTone(Tone tone)
{
    if (tone == m_tone)
        return;
    m_tone = tone;
    update();
}

QColor RiskToneLabel::colorOf(Tone tone)
{
    switch (tone) {
    case Tone::Plain:
        return theme::textColor();
    case Tone::Muted:
        return theme::mutedTextColor();
    case Tone::Gain:
        return theme::buyColor();
    case Tone::Loss:
        return theme::sellColor();
    case Tone::Warning:
        return riskWarningColor();
    case Tone::Alarm:
        return killSwitchColor();
    }
    return theme::textColor();
}

RiskToneLabel::Tone RiskToneLabel::toneOfSign(std::int64_t amount)
{
    if (amount > 0)
        return Tone::Gain;
    if (amount < 0)
        return Tone::Loss;
    return Tone::Plain;
}

void RiskToneLabel::paintEvent(QPaintEvent *event)
{
    if (m_tone == Tone::Plain) {
        QLabel::paintEvent(event);
        return;
    }

    QPainter painter(this);
    QPalette colored = palette();
    colored.setColor(QPalette::WindowText, colorOf(m_tone));
    const auto align =
        static_cast<int>(QStyle::visualAlignment(layoutDirection(), alignment()).toInt());
    style()->drawItemText(&painter,
                          contentsRect().adjusted(margin(), margin(), -margin(), -margin()), align,
                          colored, isEnabled(), text(), QPalette::WindowText);
}

} // namespace bourse::ui
