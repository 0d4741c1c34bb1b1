#include "connect_dialog.h"

#include "theme.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace bourse::ui {

namespace {

QLineEdit *lineEdit(QWidget *parent, const char *name, const QString &text)
{
    auto *edit = new QLineEdit(text, parent);
    edit->setObjectName(QString::fromLatin1(name));
    edit->setMinimumWidth(360);
    return edit;
}

// A field with a button beside it, as one row of the form.
QWidget *withButton(QWidget *parent, QLineEdit *field, QPushButton *button)
{
    auto *row = new QWidget(parent);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(field, 1);
    layout->addWidget(button);
    return row;
}

} // namespace

ConnectDialog::ConnectDialog(const RemoteSettings &initial, QWidget *parent)
    : QDialog(parent)
    , m_orderEntry(lineEdit(this, "orderEntryEdit", initial.orderEntryEndpoint))
    , m_publish(lineEdit(this, "publishEdit", initial.publishEndpoint))
    , m_snapshot(lineEdit(this, "snapshotEdit", initial.snapshotEndpoint))
    , m_standbys(
          lineEdit(this, "standbysEdit", initial.standbyEndpoints.join(QStringLiteral(", "))))
    , m_serverKey(lineEdit(this, "serverKeyEdit", initial.serverKey))
    , m_keyPrefix(lineEdit(this, "keyPrefixEdit", initial.keyPrefix))
    , m_accounts(lineEdit(this, "accountsEdit", formatAccountList(initial.accounts)))
    , m_message(new QLabel(this))
{
    setWindowTitle(tr("Connect to server"));
    setObjectName(QStringLiteral("connectDialog"));
    m_orderEntry->setPlaceholderText(QStringLiteral("tcp://127.0.0.1:7401"));
    m_standbys->setPlaceholderText(tr("none, or tcp://10.0.0.2:7401, ..."));
    m_standbys->setToolTip(tr("The order-entry endpoints of standby servers of the same market, "
                              "separated by commas. Each publishes and serves snapshots on the "
                              "two ports after it. When the server stops, the terminal moves to "
                              "the next of them by itself and resends what has no reply."));
    m_serverKey->setPlaceholderText(tr("server.pub, or its 40-character key"));
    m_keyPrefix->setPlaceholderText(defaultKeyPrefix());
    m_accounts->setPlaceholderText(tr("1,2 (none: watch only)"));
    // Stored endpoints that differ from the defaults were typed by the user, so they stay.
    m_publishEdited =
        !initial.publishEndpoint.isEmpty() &&
        initial.publishEndpoint != endpointWithPortOffset(initial.orderEntryEndpoint, 1);
    m_snapshotEdited =
        !initial.snapshotEndpoint.isEmpty() &&
        initial.snapshotEndpoint != endpointWithPortOffset(initial.orderEntryEndpoint, 2);
    connect(m_orderEntry, &QLineEdit::textChanged, this, &ConnectDialog::followOrderEntry);
    connect(m_publish, &QLineEdit::textEdited, this, [this] { m_publishEdited = true; });
    connect(m_snapshot, &QLineEdit::textEdited, this, [this] { m_snapshotEdited = true; });
    followOrderEntry();

    auto *browseServer = new QPushButton(tr("Browse\u2026"), this);
    connect(browseServer, &QPushButton::clicked, this, &ConnectDialog::browseServerKey);
    auto *browseKeys = new QPushButton(tr("Browse\u2026"), this);
    connect(browseKeys, &QPushButton::clicked, this, &ConnectDialog::browseKeyPrefix);
    auto *generate = new QPushButton(tr("Generate"), this);
    generate->setObjectName(QStringLiteral("generateKeysButton"));
    generate->setToolTip(tr("Write a new key pair, as bourse-engine keygen does, at this path or "
                            "in the configuration folder; the server's operator then lists its "
                            "public key in the access list"));
    connect(generate, &QPushButton::clicked, this, &ConnectDialog::generateKeys);

    auto *form = new QFormLayout;
    form->addRow(tr("Order entry"), m_orderEntry);
    form->addRow(tr("Publications"), m_publish);
    form->addRow(tr("Snapshots"), m_snapshot);
    form->addRow(tr("Standby servers"), m_standbys);
    form->addRow(tr("Server public key"), withButton(this, m_serverKey, browseServer));
    auto *keyRow = withButton(this, m_keyPrefix, browseKeys);
    keyRow->layout()->addWidget(generate);
    form->addRow(tr("Terminal key pair"), keyRow);
    form->addRow(tr("Accounts"), m_accounts);

    m_message->setObjectName(QStringLiteral("connectMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *connectButton = buttons->addButton(tr("Connect"), QDialogButtonBox::AcceptRole);
    connectButton->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::tryAccept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
}

RemoteSettings ConnectDialog::settings() const
{
    RemoteSettings settings;
    settings.orderEntryEndpoint = m_orderEntry->text().trimmed();
    settings.publishEndpoint = m_publish->text().trimmed();
    settings.snapshotEndpoint = m_snapshot->text().trimmed();
    for (const QString &standby : m_standbys->text().split(QLatin1Char(','))) {
        if (!standby.trimmed().isEmpty())
            settings.standbyEndpoints << standby.trimmed();
    }
    settings.serverKey = m_serverKey->text().trimmed();
    settings.keyPrefix = m_keyPrefix->text().trimmed();
    if (settings.keyPrefix.isEmpty())
        settings.keyPrefix = defaultKeyPrefix();
    const auto accounts = parseAccountList(m_accounts->text());
    if (const auto *list = std::get_if<std::vector<AccountId>>(&accounts))
        settings.accounts = *list;
    return settings;
}

QString ConnectDialog::message() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

void ConnectDialog::followOrderEntry()
{
    if (!m_publishEdited)
        m_publish->setText(endpointWithPortOffset(m_orderEntry->text(), 1));
    if (!m_snapshotEdited)
        m_snapshot->setText(endpointWithPortOffset(m_orderEntry->text(), 2));
}

void ConnectDialog::tryAccept()
{
    m_options.reset();
    const auto accounts = parseAccountList(m_accounts->text());
    if (const auto *error = std::get_if<QString>(&accounts)) {
        showError(*error, m_accounts);
        return;
    }
    auto checked = checkRemoteSettings(settings());
    if (const auto *error = std::get_if<RemoteSettingsError>(&checked)) {
        showError(error->message, fieldOf(error->field));
        return;
    }
    m_options = std::move(std::get<net::ClientOptions>(checked));
    accept();
}

void ConnectDialog::generateKeys()
{
    const QString prefix = m_keyPrefix->text().trimmed().isEmpty() ? defaultKeyPrefix()
                                                                   : m_keyPrefix->text().trimmed();
    const GeneratedKeys keys = generateTerminalKeys(prefix);
    if (!keys.error.isEmpty()) {
        showError(keys.error, m_keyPrefix);
        return;
    }
    m_keyPrefix->setText(prefix);
    QPalette colors = m_message->palette();
    colors.setColor(QPalette::WindowText, palette().color(QPalette::WindowText));
    m_message->setPalette(colors);
    m_message->setText(tr("Wrote %1.key and %1.pub. Give the server's operator this public key "
                          "for the access list:\n%2")
                           .arg(prefix, keys.publicKey));
    m_message->show();
}

void ConnectDialog::browseServerKey()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Server public key"),
                                                      QFileInfo(m_serverKey->text()).path(),
                                                      tr("Public keys (*.pub);;All files (*)"));
    if (!path.isEmpty())
        m_serverKey->setText(path);
}

void ConnectDialog::browseKeyPrefix()
{
    const QString start = m_keyPrefix->text().isEmpty() ? defaultKeyPrefix() : m_keyPrefix->text();
    QString path =
        QFileDialog::getOpenFileName(this, tr("Terminal secret key"), QFileInfo(start).path(),
                                     tr("Secret keys (*.key);;All files (*)"));
    if (path.endsWith(QStringLiteral(".key")) || path.endsWith(QStringLiteral(".pub")))
        path.chop(4);
    if (!path.isEmpty())
        m_keyPrefix->setText(path);
}

void ConnectDialog::showError(const QString &message, QLineEdit *field)
{
    QPalette colors = m_message->palette();
    colors.setColor(QPalette::WindowText, theme::errorColor());
    m_message->setPalette(colors);
    m_message->setText(message);
    m_message->show();
    if (field) {
        field->setFocus(Qt::OtherFocusReason);
        field->selectAll();
    }
}

QLineEdit *ConnectDialog::fieldOf(RemoteField field) const
{
    switch (field) {
    case RemoteField::OrderEntry:
        return m_orderEntry;
    case RemoteField::Publish:
        return m_publish;
    case RemoteField::Snapshot:
        return m_snapshot;
    case RemoteField::Standbys:
        return m_standbys;
    case RemoteField::ServerKey:
        return m_serverKey;
    case RemoteField::KeyPrefix:
        return m_keyPrefix;
    case RemoteField::Accounts:
        return m_accounts;
    }
    return nullptr;
}

} // namespace bourse::ui
