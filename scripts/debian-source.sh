# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A bash library, meant to be sourced: downloads a source package of the machine's own Debian
# release (`apt-get source --download-only`) without touching /etc and without naming an
# archive host anywhere in the project.
#
# Why: Debian's machines here carry no deb-src entry, and hffm needs sources that Debian's
# binary packages leave out (ns-3's mpi module, scripts/build-ns3-mpi.sh; a whole ns-3 tree,
# scripts/check-in-tree.sh). The deb-src entry is derived at run time from the machine's own
# configuration: the `deb` entries of /etc/apt/sources.list.d/*.sources (deb822) and of
# /etc/apt/sources.list and /etc/apt/sources.list.d/*.list (one-line) whose suites include
# the release's codename (/etc/os-release) and whose components include main, that are
# Debian's (Signed-By naming the debian-archive-keyring, or, without Signed-By, a URI whose path
# ends in /debian). Their URIs, Components and Signed-By are reused; the suite is the base one.
# apt runs with a private source list and lists folder, so /etc and /var/lib/apt stay as they
# are. The downloaded files are checked against the .dsc's Checksums-Sha256 with sha256sum;
# when they are already there and check out, nothing is downloaded.
#
# Usage:
#   source scripts/debian-source.sh
#   hffm_fetch_debian_source ns3=3.37-2 /some/cache/folder   # or just: ns3
#   echo "$HFFM_DEBIAN_DSC"                                   # the .dsc fetched
#
# Functions (all print their messages on stderr, prefixed "debian-source:"):
#   hffm_fetch_debian_source PKG[=VERSION] DEST  fetch (or find) and verify; sets HFFM_DEBIAN_DSC
#   hffm_verify_dsc DSC                          check every file a .dsc lists, by sha256
#   hffm_debian_src_entries OUT [FILE...]        write the derived deb-src entries (deb822) to
#                                                OUT, from FILE... (default: the machine's)

_hffm_ds_log() { echo "debian-source: $*" >&2; }
_hffm_ds_die() {
  echo "debian-source: ERROR: $*" >&2
  return 1
}

# The release codename (bookworm on Debian 12).
hffm_debian_codename() {
  local codename=""
  if [ -r /etc/os-release ]; then
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  fi
  [ -n "$codename" ] || _hffm_ds_die "no VERSION_CODENAME in /etc/os-release" || return 1
  echo "$codename"
}

# Writes deb822 deb-src stanzas derived from the machine's deb entries to OUT.
hffm_debian_src_entries() {
  local out=$1
  shift
  local codename
  codename=$(hffm_debian_codename) || return 1
  local files=("$@")
  if [ ${#files[@]} -eq 0 ]; then
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
      /etc/apt/sources.list.d/*.list; do
      # Only the names apt itself reads: *.disabled*, *.save, *.dpkg-old and such are skipped
      # by the patterns above.
      [ -f "$f" ] && files+=("$f")
    done
  fi
  [ ${#files[@]} -gt 0 ] || _hffm_ds_die "no apt source files found in /etc/apt" || return 1

  local deb822=() oneline=() f
  for f in "${files[@]}"; do
    case "$f" in
      *.sources) deb822+=("$f") ;;
      *) oneline+=("$f") ;;
    esac
  done

  # Both parsers print one record per candidate entry:
  #   URI <TAB> SUITES <TAB> COMPONENTS <TAB> SIGNED-BY (newlines of an inline key as \n)
  {
    if [ ${#deb822[@]} -gt 0 ]; then
      awk '
        function flush(   t, n, i, ok) {
          if (!have) return
          ok = 0
          n = split(f["types"], t, /[ \t]+/)
          for (i = 1; i <= n; i++) if (t[i] == "deb") ok = 1
          if (tolower(f["enabled"]) == "no") ok = 0
          if (ok) {
            n = split(f["uris"], t, /[ \t]+/)
            for (i = 1; i <= n; i++)
              if (t[i] != "")
                printf "%s\t%s\t%s\t%s\n", t[i], f["suites"], f["components"], f["signed-by"]
          }
          delete f
          have = 0
          last = ""
        }
        /^#/ { next }
        /^[ \t]*$/ { flush(); next }
        /^[ \t]/ {
          # continuation line (a multi-line field such as an inline Signed-By key)
          if (last != "") {
            line = $0
            sub(/^[ \t]+/, "", line)
            f[last] = f[last] "\\n " line
          }
          next
        }
        {
          i = index($0, ":")
          if (i == 0) next
          key = tolower(substr($0, 1, i - 1))
          val = substr($0, i + 1)
          sub(/^[ \t]+/, "", val)
          sub(/[ \t]+$/, "", val)
          f[key] = val
          last = key
          have = 1
        }
        END { flush() }
      ' "${deb822[@]}"
    fi
    if [ ${#oneline[@]} -gt 0 ]; then
      awk '
        /^[ \t]*#/ || /^[ \t]*$/ { next }
        {
          line = $0
          sub(/#.*/, "", line)
          signed = ""
          if (line ~ /^[ \t]*deb[ \t]+\[/) {
            s = index(line, "[")
            e = index(line, "]")
            opts = substr(line, s + 1, e - s - 1)
            line = "deb " substr(line, e + 1)
            n = split(opts, o, /[ \t]+/)
            for (i = 1; i <= n; i++)
              if (o[i] ~ /^signed-by=/) signed = substr(o[i], 11)
          }
          n = split(line, w, /[ \t]+/)
          k = 1
          while (k <= n && w[k] == "") k++
          if (w[k] != "deb") next
          uri = w[k + 1]
          suite = w[k + 2]
          comps = ""
          for (i = k + 3; i <= n; i++) if (w[i] != "") comps = comps (comps == "" ? "" : " ") w[i]
          printf "%s\t%s\t%s\t%s\n", uri, suite, comps, signed
        }
      ' "${oneline[@]}"
    fi
  } | awk -F '\t' -v codename="$codename" '
    # Keep Debian entries of the base suite with main; write one deb-src stanza each.
    {
      uri = $1; signed = $4
      n = split($2, s, /[ \t]+/); ok = 0
      for (i = 1; i <= n; i++) if (s[i] == codename) ok = 1
      if (!ok) next
      n = split($3, c, /[ \t]+/); ok = 0
      for (i = 1; i <= n; i++) if (c[i] == "main") ok = 1
      if (!ok) next
      path = uri
      sub(/^[a-z+]+:\/\/[^\/]*/, "", path)
      sub(/\/+$/, "", path)
      if (signed != "") {
        if (signed !~ /debian-archive-keyring/ && signed !~ /BEGIN PGP/) next
        if (signed ~ /BEGIN PGP/ && path !~ /\/debian$/) next
      } else if (path !~ /\/debian$/) next
      if (seen[uri "\t" signed]++) next
      printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n", uri, codename, $3
      if (signed != "") {
        gsub(/\\n/, "\n", signed)
        printf "Signed-By: %s\n", signed
      }
      printf "\n"
      found++
    }
    END { exit(found ? 0 : 3) }
  ' > "$out" || {
    rm -f "$out"
    _hffm_ds_die "no Debian 'deb' entry for suite '$codename' with component main in" \
      "${files[*]}; cannot derive a deb-src entry (add the machine's Debian archive to apt's" \
      "sources, or fetch the source package by hand)"
    return 1
  }
}

# Checks every file listed in the Checksums-Sha256 section of DSC (in DSC's folder) with
# sha256sum. Fails, naming the files, on a missing file or a mismatch.
hffm_verify_dsc() {
  local dsc=$1 dir sums
  dir=$(dirname "$dsc")
  [ -f "$dsc" ] || _hffm_ds_die "no such .dsc: $dsc" || return 1
  sums=$(awk '
    /^Checksums-Sha256:/ { in_s = 1; next }
    in_s && /^[ \t]/ { print $1 "  " $3; next }
    in_s { exit }
  ' "$dsc")
  [ -n "$sums" ] || _hffm_ds_die "$dsc has no Checksums-Sha256 section" || return 1
  if printf '%s\n' "$sums" | awk '{ print $2 }' | grep -q '/'; then
    _hffm_ds_die "$dsc lists a file name with a slash" || return 1
  fi
  local out
  if ! out=$(cd "$dir" && printf '%s\n' "$sums" | sha256sum --strict -c - 2>&1); then
    printf '%s\n' "$out" >&2
    _hffm_ds_die "sha256 mismatch or missing file for $dsc (see above)" || return 1
  fi
  return 0
}

# hffm_fetch_debian_source PKG[=VERSION] DEST
# Leaves PKG's .dsc, orig tarball(s) and debian tarball in DEST, verified; sets HFFM_DEBIAN_DSC.
hffm_fetch_debian_source() {
  if [ $# -ne 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
    _hffm_ds_die "usage: hffm_fetch_debian_source PKG[=VERSION] DEST" || return 1
  fi
  local spec=$1 dest=$2
  local pkg=${spec%%=*} version="" pattern
  if [ "$spec" != "$pkg" ]; then
    version=${spec#*=}
  fi
  # File names carry the version without its epoch.
  if [ -n "$version" ]; then
    pattern="${pkg}_${version#*:}.dsc"
  else
    pattern="${pkg}_*.dsc"
  fi
  mkdir -p "$dest"
  dest=$(cd "$dest" && pwd)
  HFFM_DEBIAN_DSC=""

  # Already there? The .dsc was checked by apt against the signed index when it was
  # downloaded; its sha256 was recorded then, so the cached copy is checked against that.
  local dsc
  for dsc in "$dest"/$pattern; do
    [ -f "$dsc" ] || continue
    if [ -f "$dsc.sha256" ] && (cd "$dest" && sha256sum --strict --status -c "$dsc.sha256") &&
      hffm_verify_dsc "$dsc" 2>/dev/null; then
      _hffm_ds_log "$(basename "$dsc") and its files already in $dest, sha256 verified"
      HFFM_DEBIAN_DSC=$dsc
      return 0
    fi
  done

  local work="$dest/.apt"
  mkdir -p "$work/lists/partial"
  hffm_debian_src_entries "$work/deb-src.sources" || return 1
  _hffm_ds_log "deb-src entries derived from the machine's apt sources:"
  sed -n 's/^\(URIs\|Suites\|Components\): /  \1: /p' "$work/deb-src.sources" >&2
  local apt_opts=(
    -o "Dir::Etc::SourceList=$work/deb-src.sources"
    -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/lists"
    # no package cache in /var/cache/apt built from these private lists
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
    -o Acquire::Languages=none
  )
  if [ "$(id -u)" -eq 0 ]; then
    # apt drops to the _apt user to download, which may not write to a private folder.
    apt_opts+=(-o APT::Sandbox::User=root)
  fi
  apt-get "${apt_opts[@]}" -qq update ||
    _hffm_ds_die "apt-get update with the private deb-src list ($work/deb-src.sources) failed" ||
    return 1
  # Remove stale or partial files of an earlier try so that the glob below finds one .dsc.
  # shellcheck disable=SC2086 # $pattern is a glob
  rm -f "$dest"/$pattern "$dest"/$pattern.sha256
  (cd "$dest" && apt-get "${apt_opts[@]}" -q source --download-only "$spec") >&2 ||
    _hffm_ds_die "apt-get source --download-only $spec failed" || return 1

  for dsc in "$dest"/$pattern; do
    [ -f "$dsc" ] || continue
    HFFM_DEBIAN_DSC=$dsc
  done
  [ -n "$HFFM_DEBIAN_DSC" ] || _hffm_ds_die "apt-get gave no $pattern in $dest" || return 1
  hffm_verify_dsc "$HFFM_DEBIAN_DSC" || return 1
  (cd "$dest" && sha256sum "$(basename "$HFFM_DEBIAN_DSC")" > "$HFFM_DEBIAN_DSC.sha256")
  # The index (~20 MB for bookworm's main) is only needed to fetch; the entries stay, to read.
  rm -rf "$work/lists"
  _hffm_ds_log "$(basename "$HFFM_DEBIAN_DSC") and its files fetched into $dest, sha256 verified"
}
