#!/bin/sh
# mamori のインストール / installs mamori from this unpacked archive.
#
#   sudo ./install.sh                       インストール・更新 / install or upgrade
#   sudo ./install.sh --uninstall           削除（設定とデータは残す）/ remove, keep data
#   sudo ./install.sh --uninstall --purge   設定・データ・ユーザーも削除 / remove everything
#   ./install.sh --root DIR                 DIR の下に配置（テスト用）/ into DIR (tests)
#
# Installs:
#   /usr/local/bin/mamori                  the program (the one it replaces is kept as
#                                          /usr/local/bin/mamori.previous)
#   /etc/systemd/system/mamori.service     the systemd unit (replaced on every install)
#   /etc/mamori/mamori.toml                the settings, only when absent (never
#                                          overwritten); the template is always written
#                                          beside it as mamori.toml.example
#   /usr/local/share/doc/mamori/           the installation guides
#   /var/lib/mamori                        the data directory (owner mamori)
# and creates the system user and group "mamori" when they do not exist. It never starts,
# stops or enables the service: it prints the commands to run. Running it again is safe.
set -eu

root=/
action=install
purge=0
yes=0

say() {
    printf '%s\n' "$*"
}

die() {
    printf 'install.sh: %s\n' "$*" >&2
    exit 1
}

usage() {
    # The comment at the top of this file.
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --root)
            [ $# -ge 2 ] || die "--root needs a directory"
            root=$2
            shift 2
            ;;
        --uninstall)
            action=uninstall
            shift
            ;;
        --purge)
            purge=1
            shift
            ;;
        --yes)
            yes=1
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            usage >&2
            die "unknown option: $1"
            ;;
    esac
done
[ "$purge" = 0 ] || [ "$action" = uninstall ] || die "--purge goes with --uninstall"

here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$root"
root=$(cd "$root" && pwd)
# On the real system (root /) the user, the owners and systemd are touched; under another
# root only files are laid out, so that the layout can be checked without being root.
system=0
if [ "$root" = / ]; then
    system=1
    [ "$(id -u)" = 0 ] || die "run it as root: sudo ./install.sh / root で実行してください"
    prefix=""
else
    prefix=$root
fi

bin=$prefix/usr/local/bin/mamori
unit=$prefix/etc/systemd/system/mamori.service
etc=$prefix/etc/mamori
settings=$etc/mamori.toml
docs=$prefix/usr/local/share/doc/mamori
data=$prefix/var/lib/mamori

# Copies $1 to $2 with mode $3 through a new file renamed into place, so that a running
# program is never written over and the file gets its directory's SELinux label.
put() {
    mkdir -p "$(dirname "$2")"
    cp "$1" "$2.new"
    chmod "$3" "$2.new"
    mv -f "$2.new" "$2"
}

# Whether files $1 and $2 have the same content (cmp is missing on some minimal systems).
same() {
    if command -v cmp >/dev/null 2>&1; then
        cmp -s "$1" "$2"
    else
        [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]
    fi
}

relabel() {
    if [ "$system" = 1 ] && command -v restorecon >/dev/null 2>&1; then
        restorecon -F "$@" 2>/dev/null || true
    fi
}

install_files() {
    for file in bin/mamori mamori.service mamori.toml INSTALL.ja.md INSTALL.en.md; do
        [ -f "$here/$file" ] || die "$here/$file is missing: run install.sh from the unpacked archive"
    done
    if [ -f "$here/SHA256SUMS" ] && command -v sha256sum >/dev/null 2>&1; then
        (cd "$here" && sha256sum --quiet -c SHA256SUMS) ||
            die "the files differ from SHA256SUMS: copy and unpack the archive again"
    fi
    version=$("$here/bin/mamori" --version 2>/dev/null) ||
        die "bin/mamori does not run on this machine (it needs Linux on x86_64)"

    if [ "$system" = 1 ]; then
        if ! getent group mamori >/dev/null; then
            groupadd --system mamori
            say "created the system group mamori / グループ mamori を作成しました"
        fi
        if ! getent passwd mamori >/dev/null; then
            useradd --system --gid mamori --home-dir /var/lib/mamori --no-create-home \
                --shell /usr/sbin/nologin --comment "mamori service" mamori
            say "created the system user mamori / ユーザー mamori を作成しました"
        fi
    fi

    if [ -f "$bin" ] && ! same "$here/bin/mamori" "$bin"; then
        put "$bin" "$bin.previous" 0755
        say "kept the previous program as $bin.previous / 以前のプログラムを保存しました"
    fi
    put "$here/bin/mamori" "$bin" 0755
    say "installed $bin ($version)"

    put "$here/mamori.service" "$unit" 0644
    say "installed $unit"

    mkdir -p "$etc"
    chmod 0750 "$etc"
    put "$here/mamori.toml" "$settings.example" 0644
    if [ -e "$settings" ]; then
        say "kept $settings as it is / 既存の設定ファイルはそのままです（見本: $settings.example）"
    else
        put "$here/mamori.toml" "$settings" 0640
        say "installed $settings (edit it before the first start / 初回起動の前に編集してください)"
    fi

    mkdir -p "$docs"
    for doc in INSTALL.ja.md INSTALL.en.md; do
        put "$here/$doc" "$docs/$doc" 0644
    done
    mkdir -p "$data"
    chmod 0750 "$data"

    if [ "$system" = 1 ]; then
        chown root:mamori "$etc" "$settings"
        chown mamori:mamori "$data"
        relabel "$bin" "$unit" "$etc" "$settings" "$settings.example" "$docs" "$data"
    fi

    say ""
    say "次の手順 / next steps:"
    say "  1. sudoedit /etc/mamori/mamori.toml          (listen, public_url ほか / and more)"
    say "  2. sudo systemctl daemon-reload"
    say "  3. sudo systemctl enable --now mamori        (更新のときは / to upgrade: sudo systemctl restart mamori)"
    say "  4. sudo journalctl -u mamori -n 50           (初回は初期設定URLが表示されます / shows the one-time setup URL)"
    say "手引き / guide: $docs/INSTALL.ja.md, $docs/INSTALL.en.md"
}

uninstall_files() {
    if [ "$system" = 1 ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl disable --now mamori.service 2>/dev/null || true
    fi
    rm -f "$bin" "$bin.previous" "$bin.new" "$unit"
    rm -rf "$docs"
    say "removed $bin, $unit, $docs"
    if [ "$system" = 1 ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl daemon-reload || true
    fi
    if [ "$purge" = 0 ]; then
        say "kept the settings $etc and the data $data / 設定とデータは残しています"
        return
    fi
    if [ "$yes" = 0 ]; then
        [ -t 0 ] || die "--purge deletes every record of the assembly: add --yes when not at a terminal"
        say "設定 $etc とデータ $data（データベース、バックアップ、ログ）をすべて削除します。"
        say "This deletes $etc and $data: the database, its backups and logs."
        printf '%s' "続けるには purge と入力してください / type purge to go on: "
        read -r answer
        [ "$answer" = purge ] || die "nothing deleted / 削除を中止しました"
    fi
    rm -rf "$etc" "$data"
    say "removed $etc and $data"
    if [ "$system" = 1 ] && getent passwd mamori >/dev/null; then
        userdel mamori || true
        if getent group mamori >/dev/null; then
            groupdel mamori || true
        fi
        say "removed the user mamori"
    fi
}

case "$action" in
    install) install_files ;;
    uninstall) uninstall_files ;;
esac
