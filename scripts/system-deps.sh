#!/usr/bin/env bash
# Installs the Debian tools the tests drive: dcmtk (storescu, echoscu, dcmdump), Chromium and socat.
set -euo pipefail

missing=()
command -v dcmdump >/dev/null 2>&1 || missing+=(dcmtk)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v socat >/dev/null 2>&1 || missing+=(socat)  # sends raw MLLP frames to the HL7 listener in tests
command -v curl >/dev/null 2>&1 || missing+=(curl)  # the DICOMweb compression test asks with curl
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run: sudo apt-get install -y ${missing[*]})" >&2; exit 1
  fi
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
