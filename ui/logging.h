#pragma once

#include <QLoggingCategory>

// The logging categories of the Qt side of Bourse, one per component. Messages below warnings
// stay quiet unless QT_LOGGING_RULES enables them, for example "bourse.ui.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcUi)      // bourse.ui: widgets, models, the main window
Q_DECLARE_LOGGING_CATEGORY(lcJournal) // bourse.journal: the terminal's event journals
Q_DECLARE_LOGGING_CATEGORY(lcNet)     // bourse.net: the link to a server in remote mode
