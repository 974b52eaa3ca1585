#pragma once
// The coverage matrix as people and programs read it: a text table and a JSON document.
#include <string>

#include "CoverageMatrix.h"

namespace ipnp {

struct StatusReportOptions {
    bool perScanRows = true;  // the scan x organ table; off leaves only the counts
};

std::string coverageTable(const CoverageMatrix& matrix, const std::string& title,
                          const StatusReportOptions& options = {});
std::string coverageJson(const CoverageMatrix& matrix, const std::string& projectFolder,
                         const std::string& schemaName, const StatusReportOptions& options = {});

}  // namespace ipnp
