#include "elided_label.h"

#include <QClipboard>
#include <QContextMenuEvent>
#include <QGuiApplication>
#include <QMenu>

namespace bourse::ui {

namespace {

const QString ellipsis = QStringLiteral("\u2026");

} // namespace

ElidedLabel::ElidedLabel(QWidget *parent)
    : QLabel(parent)
{
    setTextFormat(Qt::PlainText);
    setWordWrap(false);
}

void ElidedLabel::setFullText(const QString &text)
{
    if (text == m_fullText)
        return;

    m_fullText = text;
    setToolTip(text);
    updateShownText();
    updateGeometry();
}

QSize ElidedLabel::sizeHint() const
{
    return {textWidth(m_fullText) + nonTextWidth(), QLabel::sizeHint().height()};
}

QSize ElidedLabel::minimumSizeHint() const
{
    return {textWidth(ellipsis) + nonTextWidth(), QLabel::minimumSizeHint().height()};
}

void ElidedLabel::resizeEvent(QResizeEvent *event)
{
    QLabel::resizeEvent(event);
    updateShownText();
}

void ElidedLabel::changeEvent(QEvent *event)
{
    QLabel::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
        updateShownText();
        updateGeometry();
    }
}

// QLabel's own menu would copy the shown text, which may be elided.
void ElidedLabel::contextMenuEvent(QContextMenuEvent *event)
{
    if (m_fullText.isEmpty()) {
        QLabel::contextMenuEvent(event);
        return;
    }

    QMenu menu(this);
    menu.addAction(tr("Copy"), this, [this] { QGuiApplication::clipboard()->setText(m_fullText); });
    menu.exec(event->globalPos());
}

void ElidedLabel::setElideMode(Qt::TextElideMode mode)
{
    m_elideMode = mode;
    updateShownText();
}

void ElidedLabel::updateShownText()
{
    const int available = width() - nonTextWidth();
    const QString shownText = fontMetrics().elidedText(m_fullText, m_elideMode, available);
    if (shownText != text())
        QLabel::setText(shownText);
}

int ElidedLabel::textWidth(const QString &text) const
{
    return fontMetrics().size(Qt::TextSingleLine, text).width();
}

// The part of QLabel's width hint that is not text: contents margins (which hold the frame and
// a style sheet's padding), the margin and the indent. QLabel measures it for the text shown.
int ElidedLabel::nonTextWidth() const
{
    return QLabel::sizeHint().width() - textWidth(text());
}

} // namespace bourse::ui
