#pragma once

// How MultiSession merges the views and statuses of its engines. Internal to MultiSession.

#include "multi_session.h"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace bourse::net {

using EngineViews = std::vector<std::shared_ptr<const MarketView>>;

inline constexpr std::size_t kLocalRejectionsKept = 100;

// The owners of the instruments the views show. A view may be null before its engine's first.
InstrumentOwnership findOwnership(const EngineViews &views, const std::vector<std::string> &names);

// Why an order for `instrument` went to no engine: no engine owns it, or two engines claim it.
std::string unownedInstrumentText(InstrumentId instrument, const InstrumentOwnership &owners);

// Returns the merged status, Live while any engine is live. Its stale streams are those of every
// engine plus every instrument of an engine that is not live. `engines` has one entry each.
ConnectionStatus mergeStatuses(std::vector<ConnectionStatus> statuses,
                               const std::vector<std::string> &names,
                               const InstrumentOwnership &owners, const EngineViews &views);

// Merges the engines' views into one, and keeps the last merge until a view or the focus
// changes, so that the terminal's frame timer does not rebuild an unchanged view.
class ViewMerger {
public:
    std::shared_ptr<const MarketView> merge(const EngineViews &views,
                                            const std::vector<std::string> &names,
                                            InstrumentId focus,
                                            const std::vector<OwnOrder> &localRejections);
    std::shared_ptr<const MarketView> latest() const { return m_latest; }
    // Makes the next merge() build a new view, after the focus or the local rejections changed.
    void invalidate() { m_valid = false; }

private:
    EngineViews m_sources;
    std::shared_ptr<const MarketView> m_latest;
    bool m_valid = false;
    std::uint64_t m_viewNumber = 0;
    // Raised each time the focus moves to another engine, whose sequence numbers are unrelated to
    // the last one's, so that panels start afresh as after a seek.
    std::uint64_t m_focusMoves = 0;
    std::optional<std::size_t> m_focusEngine;
};

} // namespace bourse::net
