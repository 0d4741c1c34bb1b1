#pragma once

#include "events.h"

#include <string_view>

namespace bourse::replay {

// The definition of the one instrument a recorded file replays into a fresh engine: id 1, the
// file's symbol, its decimals, and a tick and a lot of one unit. A caller that knows the file's
// price step may widen the tick. A symbol longer than the definition's 16 bytes is cut at a whole
// UTF-8 character, so that it never ends in part of one.
InstrumentDefinition replayedInstrument(std::string_view symbol, int priceDecimals,
                                        int quantityDecimals);

} // namespace bourse::replay
