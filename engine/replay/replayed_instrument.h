#pragma once

#include "account_settings.h"
#include "events.h"

#include <string_view>

namespace bourse::replay {

// The definition of the one instrument a recorded file replays into a fresh engine: id 1, the
// file's symbol, its decimals, the quote currency the symbol ends in (quoteCurrencyOf()), and a
// tick and a lot of one unit. A caller that knows the file's price step may widen the tick. A
// symbol longer than the definition's 16 bytes is cut at a whole UTF-8 character, so that it
// never ends in part of one.
InstrumentDefinition replayedInstrument(std::string_view symbol, int priceDecimals,
                                        int quantityDecimals);

// Returns the quote currency that an exchange symbol ends in, such as USDT for XRPUSDT, or an
// empty code when it ends in none of USDT, USDC, BUSD, TUSD, USD and EUR.
CurrencyCode quoteCurrencyOf(std::string_view symbol);

} // namespace bourse::replay
