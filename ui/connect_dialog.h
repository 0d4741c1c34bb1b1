#pragma once

#include "remote_settings.h"

#include <QDialog>

#include <optional>

class QLabel;
class QLineEdit;

namespace bourse::ui {

// Session > Connect to server: the order-entry endpoint (the publish and snapshot endpoints
// follow it on the next two ports until edited), the standby servers' order-entry endpoints,
// which the terminal moves to by itself when the server stops, the server's public key as a .pub
// file or
// pasted Z85 text, the terminal's own key pair, which a button can generate, and the accounts
// to trade. Connect checks every field and reads the keys; an error names the field or file and
// keeps the dialog open on that field.
class ConnectDialog : public QDialog {
    Q_OBJECT

public:
    explicit ConnectDialog(const RemoteSettings &initial, QWidget *parent = nullptr);

    RemoteSettings settings() const;
    // The checked client options, set once the dialog is accepted.
    const std::optional<net::ClientOptions> &clientOptions() const { return m_options; }
    // The message under the fields, an error or the public key of a generated pair; empty while
    // none is shown.
    QString message() const;

public slots:
    // Checks the fields and accepts the dialog when they are valid; shows the error otherwise.
    void tryAccept();
    // Writes a new key pair at the key pair field's path, or at the keygen default when it is
    // empty, and shows the public key to give the server's operator.
    void generateKeys();

private:
    void followOrderEntry();
    void browseServerKey();
    void browseKeyPrefix();
    void showError(const QString &message, QLineEdit *field);
    QLineEdit *fieldOf(RemoteField field) const;

    QLineEdit *m_orderEntry;
    QLineEdit *m_publish;
    QLineEdit *m_snapshot;
    QLineEdit *m_standbys;
    QLineEdit *m_serverKey;
    QLineEdit *m_keyPrefix;
    QLineEdit *m_accounts;
    QLabel *m_message;
    bool m_publishEdited = false;
    bool m_snapshotEdited = false;
    std::optional<net::ClientOptions> m_options;
};

} // namespace bourse::ui
