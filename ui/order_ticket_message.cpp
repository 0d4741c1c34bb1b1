#include "order_ticket_message.h"

#include "theme.h"

#include <QPainter>

namespace bourse::ui {

namespace {

QColor colorOf(MessageLine::Tone tone)
{
    switch (tone) {
    case MessageLine::Tone::Problem:
        return theme::errorColor();
    case MessageLine::Tone::Report:
        return theme::textColor();
    case MessageLine::Tone::Hint:
        break;
    }
    return theme::mutedTextColor();
}

} // namespace

MessageLine::MessageLine(QWidget *parent)
    : ElidedLabel(parent)
{
    setTextInteractionFlags(Qt::NoTextInteraction);
}

void MessageLine::setMessage(const QString &text, Tone tone)
{
    const bool repaint = tone != m_tone;
    m_tone = tone;
    setFullText(text);
    if (repaint)
        update();
}

// QLabel paints with the palette, which a theme switch may not have reached yet. The text shown
// is the elided one that ElidedLabel keeps in QLabel::text().
void MessageLine::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setPen(colorOf(m_tone));
    painter.setFont(font());
    painter.drawText(contentsRect(), static_cast<int>(alignment()), text());
}

} // namespace bourse::ui
