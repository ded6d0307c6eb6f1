# Sourced by the scripts that build a Tauri app: installs Debian's WebKitGTK
# development packages and the other Tauri build dependencies when missing.
# With `--test`, also the display and WebDriver the Tauri tests use.

tauri_packages=(libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev build-essential pkg-config)
tauri_test_packages=(xvfb webkit2gtk-driver)

install_tauri_build_deps() {
    local who=$1
    shift
    local wanted=("${tauri_packages[@]}")
    if [ "${1:-}" = --test ]; then
        wanted+=("${tauri_test_packages[@]}")
    fi
    local missing=()
    for package in "${wanted[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$package")
        fi
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "$who: installing ${missing[*]} (Debian's packages)" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi
}
