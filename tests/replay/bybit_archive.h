#pragma once

#include "test_data.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>

namespace bourse::replay::testing {

// One day of Bybit's XRPUSDT order-book stream (500 levels), zipped as Bybit publishes it.
inline const QString kBybitArchive = QStringLiteral("crypto/bybit_xrpusdt-ob500.data.zip");

// Extracts the Bybit archive's one file into `directory` with `unzip -p` and returns its path.
// When the archive or unzip is missing, or unzip fails, it returns an empty string and sets
// `problem`. The caller then skips its test with `problem`, because QSKIP works only in the test
// function itself.
inline QString extractBybitDay(const QTemporaryDir &directory, QString &problem)
{
    if (!QFile::exists(marketDataPath(kBybitArchive))) {
        problem = QStringLiteral("market data file %1 is missing; set BOURSE_DATA_DIR to the "
                                 "folder that holds crypto/")
                      .arg(marketDataPath(kBybitArchive));
        return {};
    }

    const QString unzip = QStandardPaths::findExecutable(QStringLiteral("unzip"));
    if (unzip.isEmpty()) {
        problem = QStringLiteral("unzip is not installed (Debian package unzip); it extracts %1")
                      .arg(marketDataPath(kBybitArchive));
        return {};
    }

    const QString path = directory.filePath(QStringLiteral("XRPUSDT_ob500.data"));
    QProcess process;
    process.setStandardOutputFile(path);
    process.start(unzip, {QStringLiteral("-p"), marketDataPath(kBybitArchive)});
    if (!process.waitForFinished(60'000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        problem = QStringLiteral("unzip -p %1 failed: %2")
                      .arg(marketDataPath(kBybitArchive),
                           QString::fromLocal8Bit(process.readAllStandardError()));
        return {};
    }
    return path;
}

} // namespace bourse::replay::testing
