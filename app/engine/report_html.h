#pragma once

// The session report as one self-contained HTML document: inline CSS and SVG, no scripts, no
// external resources, and a print stylesheet for A4.

#include "report_data.h"

#include <string>

namespace bourse::cli::report {

// Renders the whole document. The output depends only on the report, so the same journal and
// accounts give the same bytes.
std::string renderReportHtml(const SessionReport &report);

} // namespace bourse::cli::report
