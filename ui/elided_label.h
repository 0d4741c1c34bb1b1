#pragma once

#include <QLabel>

namespace bourse::ui {

// A one-line label whose minimum width is that of an ellipsis, so a long text cannot widen the
// window. Text that does not fit is elided in the middle by default, which keeps both
// the start of a path and the end of a message readable. A message that puts what matters first
// is elided at the end instead (setElideMode). The tooltip and the context menu's
// Copy always carry the full text.
class ElidedLabel : public QLabel {
    Q_OBJECT

public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    // Sets the text to show. Use it in place of QLabel::setText, which would show the text
    // unelided until the next resize.
    void setFullText(const QString &text);
    const QString &fullText() const { return m_fullText; }

    // Sets where text that does not fit is cut: Qt::ElideMiddle (the default) or another mode.
    void setElideMode(Qt::TextElideMode mode);

    // True when the label shows less than the full text.
    bool isElided() const { return text() != m_fullText; }

    // The width of the full text, which the label takes when its layout has room.
    QSize sizeHint() const override;
    // The width of an ellipsis, so any layout can shrink the label.
    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    void updateShownText();
    int textWidth(const QString &text) const;
    int nonTextWidth() const;

    QString m_fullText;
    Qt::TextElideMode m_elideMode = Qt::ElideMiddle;
};

} // namespace bourse::ui
