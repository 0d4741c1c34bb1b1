#include "replayed_instrument.h"

#include <algorithm>
#include <string_view>

namespace bourse::replay {

namespace {

bool continuesCharacter(char byte)
{
    return (static_cast<unsigned char>(byte) & 0xC0) == 0x80;
}

// The currencies a symbol may end in, longest first so that USDT is not read as USD. Only
// dollars, stablecoins and the euro are listed, because the trader's accounts keep two decimals
// of money, too coarse for a pair quoted in a coin such as BTC.
constexpr std::string_view kQuoteCurrencies[] = {"USDT", "USDC", "BUSD", "TUSD", "USD", "EUR"};

} // namespace

CurrencyCode quoteCurrencyOf(std::string_view symbol)
{
    for (const std::string_view currency : kQuoteCurrencies) {
        if (symbol.size() > currency.size() && symbol.ends_with(currency))
            return currencyCode(currency);
    }
    return {};
}

InstrumentDefinition replayedInstrument(std::string_view symbol, int priceDecimals,
                                        int quantityDecimals)
{
    InstrumentDefinition definition;
    definition.id = InstrumentId{1};
    std::size_t length = std::min(symbol.size(), definition.symbol.size());
    // The byte after the cut continuing a character means the cut splits it: the whole
    // character goes.
    if (length < symbol.size()) {
        while (length > 0 && continuesCharacter(symbol[length]))
            --length;
    }
    std::copy_n(symbol.begin(), length, definition.symbol.begin());
    definition.currency = quoteCurrencyOf(symbol);
    definition.priceDecimals = static_cast<std::uint8_t>(priceDecimals);
    definition.quantityDecimals = static_cast<std::uint8_t>(quantityDecimals);
    return definition;
}

} // namespace bourse::replay
