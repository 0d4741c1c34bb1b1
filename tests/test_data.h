#pragma once

#include <QFile>
#include <QString>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <string>

// Market data files for tests live outside the repository: in $BOURSE_DATA_DIR, or else in
// the folder the build was configured with.
inline QString marketDataPath(const QString &relativePath)
{
    const QString directory = qEnvironmentVariable("BOURSE_DATA_DIR", BOURSE_DEFAULT_DATA_DIR);
    return directory + QLatin1Char('/') + relativePath;
}

// Skips the calling test function when a market data file is missing.
#define BOURSE_REQUIRE_DATA_FILE(path)                                                             \
    do {                                                                                           \
        if (!QFile::exists(path))                                                                  \
            QSKIP(qPrintable(QStringLiteral("market data file %1 is missing; set BOURSE_DATA_DIR " \
                                            "to the folder that holds lobster/ and crypto/")       \
                                 .arg(path)));                                                     \
    } while (false)

// Writes `text` to a file `name` in a temporary folder and returns its path.
inline std::string writeFile(const QTemporaryDir &directory, const char *name,
                             const std::string &text)
{
    const std::string path = directory.filePath(QString::fromLatin1(name)).toStdString();
    std::ofstream(path, std::ios::binary) << text;
    return path;
}
