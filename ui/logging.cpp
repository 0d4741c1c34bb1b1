#include "logging.h"

Q_LOGGING_CATEGORY(lcUi, "bourse.ui", QtWarningMsg)
Q_LOGGING_CATEGORY(lcJournal, "bourse.journal", QtWarningMsg)
Q_LOGGING_CATEGORY(lcNet, "bourse.net", QtWarningMsg)
