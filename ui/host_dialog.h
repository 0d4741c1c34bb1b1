#pragma once

#include "host_settings.h"

#include <QDialog>

#include <optional>

class QLabel;
class QLineEdit;
class QSpinBox;

namespace bourse::ui {

// Session > Host a market: the market (a training scenario file, or the simulated market when
// empty) and its seed, the address and first port the server binds, the peers' access list, the
// host's accounts and key pair. Host checks every field, parses the files and reads the keys.
// An error names the field or file and keeps the dialog open on that field.
class HostDialog : public QDialog {
    Q_OBJECT

public:
    explicit HostDialog(const HostSettings &initial, QWidget *parent = nullptr);

    // The fields as they stand. A seed or an account list that does not parse is left out.
    HostSettings settings() const;
    // The checked host, set once the dialog is accepted.
    const std::optional<HostPlan> &plan() const { return m_plan; }
    // The error under the fields; empty while none is shown.
    QString message() const;

public slots:
    // Checks the fields and accepts the dialog when they are valid; shows the error otherwise.
    void tryAccept();

private:
    void browse(QLineEdit *field, const QString &title, const QString &filter);
    void showError(const QString &message, QWidget *field);
    QWidget *fieldOf(HostField field) const;

    QLineEdit *m_trainingFile;
    QLineEdit *m_seed;
    QLineEdit *m_address;
    QSpinBox *m_port;
    QLineEdit *m_accessList;
    QLineEdit *m_accounts;
    QLineEdit *m_keyPrefix;
    QLabel *m_message;
    std::optional<HostPlan> m_plan;
};

} // namespace bourse::ui
