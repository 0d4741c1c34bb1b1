#include "market_controls.h"

#include <QObject>

namespace bourse::ui {

QString controlResultMessage(net::ControlResult result)
{
    switch (result) {
    case net::ControlResult::Queued:
        return {};
    case net::ControlResult::QueueFull:
        return QObject::tr("The server has not applied the earlier controls yet; try again.");
    case net::ControlResult::NoAgentMarket:
        return QObject::tr("This market has no agents to pause or events to inject.");
    case net::ControlResult::UnknownInstrument:
        return QObject::tr("The market has no such instrument.");
    }
    return QObject::tr("The server did not take the control.");
}

} // namespace bourse::ui
