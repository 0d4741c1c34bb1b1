#pragma once

#include <QString>

namespace bourse::ui {

// The folder of the training scenarios shipped with Bourse, the first that exists of:
// $BOURSE_SCENARIO_DIR; bourse/scenarios in the generic data folders (QStandardPaths), such as
// /usr/local/share/bourse/scenarios after `cmake --install`; share/bourse/scenarios beside the
// executable's bin folder, for an installation elsewhere; and resources/scenarios of the source
// tree the program was built from. Returns an empty string when none exists.
QString trainingScenarioFolder();

} // namespace bourse::ui
