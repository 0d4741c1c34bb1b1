#pragma once

// QTest::toString overloads for engine types, found by argument-dependent lookup, so that a
// failed QCOMPARE prints the values instead of "<unknown>".

#include "engine.h"

#include <QByteArray>
#include <QTest>

#include <string>

namespace bourse {

inline char *toString(Side side)
{
    return qstrdup(std::string(nameOf(side)).c_str());
}
inline char *toString(EventType type)
{
    return qstrdup(std::string(nameOf(type)).c_str());
}
inline char *toString(RejectReason reason)
{
    return qstrdup(std::string(nameOf(reason)).c_str());
}
inline char *toString(CancelReason reason)
{
    return qstrdup(std::string(nameOf(reason)).c_str());
}
inline char *toString(ApplyResult result)
{
    return qstrdup(std::string(nameOf(result)).c_str());
}
inline char *toString(RestoreResult result)
{
    return qstrdup(std::string(nameOf(result)).c_str());
}
inline char *toString(TradingStatus status)
{
    return qstrdup(std::string(nameOf(status)).c_str());
}
inline char *toString(OrderType type)
{
    return qstrdup(std::string(nameOf(type)).c_str());
}
inline char *toString(TimeInForce timeInForce)
{
    return qstrdup(std::string(nameOf(timeInForce)).c_str());
}
inline char *toString(SelfTradePrevention mode)
{
    return qstrdup(std::string(nameOf(mode)).c_str());
}
inline char *toString(QueuePriority priority)
{
    return qstrdup(std::string(nameOf(priority)).c_str());
}
inline char *toString(AccountId account)
{
    return QTest::toString(account.value());
}
inline char *toString(ClientOrderId id)
{
    return QTest::toString(id.value());
}
inline char *toString(InstrumentId id)
{
    return QTest::toString(id.value());
}
inline char *toString(Timestamp time)
{
    return QTest::toString(time.value());
}
inline char *toString(Price price)
{
    return QTest::toString(price.value());
}
inline char *toString(Quantity quantity)
{
    return QTest::toString(quantity.value());
}
inline char *toString(OrderId id)
{
    return QTest::toString(id.value());
}
inline char *toString(const LevelSummary &level)
{
    const QByteArray text = QByteArray::number(level.quantity.value()) + " @ " +
                            QByteArray::number(level.price.value()) + " (" +
                            QByteArray::number(level.orderCount) + " orders)";
    return qstrdup(text.constData());
}

} // namespace bourse
