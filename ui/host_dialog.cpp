#include "host_dialog.h"

#include "remote_settings.h"
#include "theme.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace bourse::ui {

namespace {

QLineEdit *lineEdit(QWidget *parent, const char *name, const QString &text)
{
    auto *edit = new QLineEdit(text, parent);
    edit->setObjectName(QString::fromLatin1(name));
    edit->setMinimumWidth(340);
    return edit;
}

// A field with a Browse button beside it, as one row of the form.
QWidget *withBrowse(QWidget *parent, QLineEdit *field, QPushButton **button)
{
    auto *row = new QWidget(parent);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(field, 1);
    *button = new QPushButton(HostDialog::tr("Browse\u2026"), row);
    layout->addWidget(*button);
    return row;
}

} // namespace

HostDialog::HostDialog(const HostSettings &initial, QWidget *parent)
    : QDialog(parent)
    , m_trainingFile(lineEdit(this, "hostTrainingEdit", initial.trainingFile))
    , m_seed(
          lineEdit(this, "hostSeedEdit", initial.seed ? QString::number(*initial.seed) : QString()))
    , m_address(lineEdit(this, "hostAddressEdit", initial.address))
    , m_port(new QSpinBox(this))
    , m_accessList(lineEdit(this, "hostAccessListEdit", initial.peerAccessList))
    , m_accounts(lineEdit(this, "hostAccountsEdit", formatAccountList(initial.accounts)))
    , m_keyPrefix(lineEdit(this, "hostKeyPrefixEdit", initial.keyPrefix))
    , m_message(new QLabel(this))
{
    setWindowTitle(tr("Host a market"));
    setObjectName(QStringLiteral("hostDialog"));
    m_trainingFile->setPlaceholderText(tr("none: the simulated market of five instruments"));
    m_seed->setPlaceholderText(tr("random, or the scenario's"));
    m_address->setToolTip(tr("127.0.0.1 for this machine only, an address of this machine on the "
                             "network for peers there, or * for every address"));
    m_port->setObjectName(QStringLiteral("hostPortSpin"));
    m_port->setRange(0, 65'533);
    m_port->setSpecialValueText(tr("any free ports"));
    m_port->setValue(initial.firstPort);
    m_port->setToolTip(tr("Order entry; publications and snapshots take the next two ports"));
    m_accessList->setPlaceholderText(tr("none: no peers, only this terminal trades"));
    m_accounts->setPlaceholderText(QStringLiteral("1,2"));
    m_keyPrefix->setPlaceholderText(defaultKeyPrefix());

    QPushButton *browseTraining = nullptr;
    QPushButton *browseAccess = nullptr;
    QPushButton *browseKeys = nullptr;
    auto *form = new QFormLayout;
    form->addRow(tr("Training scenario"), withBrowse(this, m_trainingFile, &browseTraining));
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Address"), m_address);
    form->addRow(tr("First port"), m_port);
    form->addRow(tr("Peers' access list"), withBrowse(this, m_accessList, &browseAccess));
    form->addRow(tr("Host's accounts"), m_accounts);
    form->addRow(tr("Host's key pair"), withBrowse(this, m_keyPrefix, &browseKeys));
    connect(browseTraining, &QPushButton::clicked, this, [this] {
        browse(m_trainingFile, tr("Training scenario"),
               tr("Training scenarios (*.scenario);;All files (*)"));
    });
    connect(browseAccess, &QPushButton::clicked, this,
            [this] { browse(m_accessList, tr("Peers' access list"), tr("All files (*)")); });
    connect(browseKeys, &QPushButton::clicked, this, [this] {
        browse(m_keyPrefix, tr("Host's secret key"), tr("Secret keys (*.key);;All files (*)"));
        const QString path = m_keyPrefix->text();
        if (path.endsWith(QStringLiteral(".key")) || path.endsWith(QStringLiteral(".pub")))
            m_keyPrefix->setText(path.chopped(4));
    });

    m_message->setObjectName(QStringLiteral("hostMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette colors = m_message->palette();
    colors.setColor(QPalette::WindowText, theme::errorColor());
    m_message->setPalette(colors);
    m_message->hide();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *host = buttons->addButton(tr("Host"), QDialogButtonBox::AcceptRole);
    host->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &HostDialog::tryAccept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
}

HostSettings HostDialog::settings() const
{
    HostSettings settings;
    settings.trainingFile = m_trainingFile->text().trimmed();
    bool ok = false;
    const qulonglong seed = m_seed->text().trimmed().toULongLong(&ok);
    if (ok)
        settings.seed = seed;
    settings.address = m_address->text().trimmed();
    settings.firstPort = m_port->value();
    settings.peerAccessList = m_accessList->text().trimmed();
    const auto accounts = parseAccountList(m_accounts->text());
    if (const auto *list = std::get_if<std::vector<AccountId>>(&accounts))
        settings.accounts = *list;
    settings.keyPrefix = m_keyPrefix->text().trimmed();
    return settings;
}

QString HostDialog::message() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

void HostDialog::tryAccept()
{
    m_plan.reset();
    const QString seed = m_seed->text().trimmed();
    bool ok = seed.isEmpty();
    if (!ok)
        seed.toULongLong(&ok);
    if (!ok) {
        showError(tr("Invalid seed '%1': give a whole number from 0, or nothing.").arg(seed),
                  m_seed);
        return;
    }
    const auto accounts = parseAccountList(m_accounts->text());
    if (const auto *error = std::get_if<QString>(&accounts)) {
        showError(*error, m_accounts);
        return;
    }
    auto checked = checkHostSettings(settings());
    if (const auto *error = std::get_if<HostSettingsError>(&checked)) {
        showError(error->message, fieldOf(error->field));
        return;
    }
    m_plan = std::move(std::get<HostPlan>(checked));
    accept();
}

void HostDialog::browse(QLineEdit *field, const QString &title, const QString &filter)
{
    const QString path =
        QFileDialog::getOpenFileName(this, title, QFileInfo(field->text()).path(), filter);
    if (!path.isEmpty())
        field->setText(path);
}

void HostDialog::showError(const QString &message, QWidget *field)
{
    m_message->setText(message);
    m_message->show();
    if (!field)
        return;
    field->setFocus(Qt::OtherFocusReason);
    if (auto *edit = qobject_cast<QLineEdit *>(field))
        edit->selectAll();
}

QWidget *HostDialog::fieldOf(HostField field) const
{
    switch (field) {
    case HostField::TrainingFile:
        return m_trainingFile;
    case HostField::Seed:
        return m_seed;
    case HostField::Address:
        return m_address;
    case HostField::Port:
        return m_port;
    case HostField::AccessList:
        return m_accessList;
    case HostField::Accounts:
        return m_accounts;
    case HostField::KeyPrefix:
        return m_keyPrefix;
    }
    return nullptr;
}

} // namespace bourse::ui
