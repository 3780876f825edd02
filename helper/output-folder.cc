/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/output-folder.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <unistd.h>

namespace ns3
{

std::string
PrepareOutputFolder(const std::string& path)
{
    namespace fs = std::filesystem;
    if (path.empty())
    {
        return "output folder '': the path is empty";
    }
    std::error_code error;
    fs::create_directories(path, error);
    if (error)
    {
        return "cannot create output folder '" + path + "': " + error.message();
    }
    if (!fs::is_directory(path, error))
    {
        return "cannot create output folder '" + path + "': a file of that name exists";
    }
    // the process's id keeps runs that share the folder apart
    const fs::path probe
        = fs::path(path) / (".hffm-write-check-" + std::to_string(static_cast<long>(getpid())));
    errno = 0;
    std::ofstream file(probe);
    file << "hffm\n";
    file.close();
    const bool written = !file.fail();
    const int cause = errno;
    fs::remove(probe, error);
    if (!written)
    {
        return "cannot write in output folder '" + path
               + "': " + (cause != 0 ? std::strerror(cause) : "the write failed");
    }
    return "";
}

} // namespace ns3
