#include "book_absence_overlay.h"

#include "theme.h"

#include <QEvent>

namespace bourse::ui {

BookAbsenceOverlay::BookAbsenceOverlay(QWidget *panel)
    : QLabel(panel)
{
    setObjectName(QStringLiteral("bookAbsence"));
    setAlignment(Qt::AlignCenter);
    setWordWrap(true);
    setMargin(24);
    // Opaque, so that nothing of the panel's empty book shows through.
    setAutoFillBackground(true);
    setAccessibleName(tr("No order book"));
    hide();
    panel->installEventFilter(this);
}

void BookAbsenceOverlay::showView(const std::shared_ptr<const MarketView> &view)
{
    const QString text = view ? QString::fromStdString(view->bookUnavailable) : QString();
    if (text.isEmpty()) {
        hide();
        return;
    }
    if (text != this->text())
        setText(text);
    QPalette colors = palette();
    colors.setColor(QPalette::Window, theme::panelColor());
    colors.setColor(QPalette::WindowText, theme::mutedTextColor());
    setPalette(colors);
    setGeometry(parentWidget()->rect());
    show();
    raise();
}

void BookAbsenceOverlay::clear()
{
    hide();
}

bool BookAbsenceOverlay::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == parentWidget() && event->type() == QEvent::Resize)
        setGeometry(parentWidget()->rect());
    return QLabel::eventFilter(watched, event);
}

} // namespace bourse::ui
