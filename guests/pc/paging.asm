; paging: 32-bit (2-level) paging with 4-KiB and 4-MiB pages.
;
; Behaviour under test (Intel SDM Vol. 3A):
;   §4.3 32-bit paging (PDE/PTE layouts, CR4.PSE 4-MiB pages, reserved bit 21
;        of a 4-MiB PDE: §4.3 Table 4-4 and §4.7 RSVD);
;   §4.6 access rights: user accesses to supervisor pages, writes to
;        read-only pages, the combination of PDE and PTE rights, CR0.WP for
;        supervisor writes (WP=0 allowed, WP=1 #PF);
;   §4.7 page-fault error codes (P, W/R, U/S, RSVD; I/D stays 0 for 32-bit
;        paging because it requires PAE+NXE or SMEP) and CR2, including the
;        fault on the second page of a page-crossing access (the first page
;        must not be modified: the access is not partially performed);
;   §4.8 accessed and dirty flags in PDEs and PTEs (printed after a read and
;        after a write; the D flag of a PDE that references a page table is
;        ignored and stays 0);
;   §4.10.4 INVLPG and MOV to CR3 invalidate translations (only the value
;        seen after invalidation is printed: what is read from a stale TLB
;        entry before invalidation is implementation-specific).

%include "boot.inc"

%define PG_P    0x001
%define PG_W    0x002
%define PG_U    0x004
%define PG_A    0x020
%define PG_D    0x040
%define PG_PS   0x080

%define T_BASE  0x400000        ; the test page table covers 4..8 MiB

main:
    call build_tables
    mov eax, pd
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    jmp .paged
.paged:
    mov eax, cr0
    P "paging-on:"
    PBIT "pg", eax, 31
    PBIT "wp", eax, 16
    NL

    ; ---- not present
    BEGIN
    AT
    mov eax, [T_BASE]
    END "pf-read-np"
    PF "cr2", 8, [exc_cr2]
    NL
    BEGIN
    AT
    mov dword [T_BASE + 0x10], 1
    END "pf-write-np"
    PF "cr2", 8, [exc_cr2]
    NL
    BEGIN
    AT
    mov eax, [0x1800123]
    END "pf-read-np-pde"
    PF "cr2", 8, [exc_cr2]
    NL
    BEGIN
    call T_BASE + 0x20
    ENDX "pf-fetch-np"
    PF "cr2", 8, [exc_cr2]
    PF "eip", 8, [exc_eip]
    NL

    ; ---- user accesses
    mov dword [u_addr], T_BASE
    USER u_read
    REPORT "pf-user-read-np"
    PF "cr2", 8, [exc_cr2]
    NL
    mov dword [u_addr], 0x1800000
    USER u_read
    REPORT "pf-user-read-np-pde"
    PF "cr2", 8, [exc_cr2]
    NL
    mov dword [u_addr], T_BASE + 0x2004
    USER u_read
    REPORT "pf-user-read-sup"
    PF "cr2", 8, [exc_cr2]
    NL
    mov dword [u_addr], T_BASE + 0x3008
    USER u_read
    REPORT "user-read-ro"
    NL
    USER u_write
    REPORT "pf-user-write-ro"
    PF "cr2", 8, [exc_cr2]
    NL
    mov dword [u_addr], T_BASE + 0x1000
    USER u_write
    REPORT "pf-user-write-sup-ro"
    PF "cr2", 8, [exc_cr2]
    NL
    mov dword [u_addr], T_BASE + 0x4010
    USER u_write
    REPORT "user-write-rw"
    NL
    mov dword [u_addr], 0x800010
    USER u_write
    REPORT "pf-user-write-pde-ro"
    PF "cr2", 8, [exc_cr2]
    NL
    mov dword [u_addr], 0xC00020
    USER u_read
    REPORT "pf-user-read-pde-sup"
    PF "cr2", 8, [exc_cr2]
    NL
    USER u_fetch_sup
    REPORT "pf-user-fetch-sup"
    PF "cr2", 8, [exc_cr2]
    PF "eip", 8, [exc_eip]
    NL

    ; ---- supervisor writes to read-only pages, CR0.WP
    BEGIN
    AT
    mov dword [T_BASE + 0x1000], 0x600D600D
    END "sup-write-ro-wp0"
    PF "val", 8, [T_BASE + 0x1000]
    NL
    mov eax, cr0
    or eax, 1 << 16
    mov cr0, eax
    BEGIN
    AT
    mov dword [T_BASE + 0x1000], 0xBAD0BAD0
    END "sup-write-ro-wp1"
    PF "cr2", 8, [exc_cr2]
    PF "val", 8, [T_BASE + 0x1000]
    NL
    BEGIN
    AT
    mov dword [T_BASE + 0x3000], 0xBAD0BAD0
    END "sup-write-user-ro-wp1"
    PF "cr2", 8, [exc_cr2]
    NL
    BEGIN
    AT
    mov dword [0x800000], 0xBAD0BAD0
    END "sup-write-pde-ro-wp1"
    PF "cr2", 8, [exc_cr2]
    NL
    BEGIN
    AT
    mov dword [T_BASE + 0x2000], 0x600D600D
    END "sup-write-rw-wp1"
    NL
    mov eax, cr0
    and eax, ~(1 << 16)
    mov cr0, eax

    ; ---- accessed / dirty flags
    and dword [pd + 4], ~(PG_A | PG_D)
    mov dword [pt1 + 4 * 4], (T_BASE + 0x4000) | PG_P | PG_W | PG_U
    mov eax, cr3
    mov cr3, eax
    P "ad-initial:"
    PF "pte", 8, [pt1 + 4 * 4]
    mov eax, [pd + 4]
    and eax, 0xFFF
    PF "pde_flags", 3, eax
    NL
    mov eax, [T_BASE + 0x4000]
    P "ad-after-read:"
    PF "pte", 8, [pt1 + 4 * 4]
    mov eax, [pd + 4]
    and eax, 0xFFF
    PF "pde_flags", 3, eax
    NL
    mov dword [T_BASE + 0x4000], 1
    P "ad-after-write:"
    PF "pte", 8, [pt1 + 4 * 4]
    mov eax, [pd + 4]
    and eax, 0xFFF
    PF "pde_flags", 3, eax
    NL
    mov dword [u_addr], T_BASE + 0x5000
    and dword [pt1 + 5 * 4], ~(PG_A | PG_D)
    invlpg [T_BASE + 0x5000]
    USER u_write
    REPORT "ad-user-write"
    PF "pte", 8, [pt1 + 5 * 4]
    NL

    ; ---- 4-MiB pages
    mov eax, cr4
    or eax, 1 << 4              ; PSE
    mov cr4, eax
    mov dword [magic], 0x4D4D4D4D
    mov eax, [0x1000000 + magic]
    P "pse-4m-read:"
    PF "val", 8, eax
    PF "pde", 8, [pd + 4 * 4]
    NL
    mov dword [0x1000000 + magic], 0x57575757
    P "pse-4m-write:"
    PF "val", 8, [magic]
    PF "pde", 8, [pd + 4 * 4]
    NL
    BEGIN
    AT
    mov eax, [0x1400010]
    END "pf-pse-rsvd-bit21"
    PF "cr2", 8, [exc_cr2]
    NL
    mov dword [u_addr], 0x1000010
    USER u_read
    REPORT "pf-pse-user-read-sup"
    PF "cr2", 8, [exc_cr2]
    NL

    ; ---- page-crossing accesses (second page not present)
    mov dword [T_BASE + 0x5FFC], 0x44332211
    BEGIN
    AT
    mov dword [T_BASE + 0x5FFE], 0xAABBCCDD
    END "pf-cross-write"
    PF "cr2", 8, [exc_cr2]
    PF "bytes", 8, [T_BASE + 0x5FFC]
    NL
    BEGIN
    mov eax, 0x12345678
    AT
    mov eax, [T_BASE + 0x5FFD]
    END "pf-cross-read"
    PF "cr2", 8, [exc_cr2]
    PF "eax", 8, [exc_regs + 28]
    NL
    mov dword [u_addr], T_BASE + 0x5FFF
    USER u_write
    REPORT "pf-cross-user-write"
    PF "cr2", 8, [exc_cr2]
    PF "bytes", 8, [T_BASE + 0x5FFC]
    NL
    BEGIN
    mov esi, T_BASE + 0x5FF8
    mov edi, buf
    mov ecx, 4
    AT
    rep movsd
    END "pf-cross-rep-movsd"
    PF "cr2", 8, [exc_cr2]
    PF "ecx", 8, [exc_regs + 24]
    mov eax, [exc_regs + 4]
    sub eax, T_BASE
    PF "esi_off", 4, eax
    NL

    ; ---- INVLPG and CR3 reloads
    mov dword [pt1 + 7 * 4], frame_a + (PG_P | PG_W)
    invlpg [T_BASE + 0x7000]
    mov eax, [T_BASE + 0x7000]
    P "map-a:"
    PF "val", 8, eax
    NL
    mov dword [pt1 + 7 * 4], frame_b + (PG_P | PG_W)
    invlpg [T_BASE + 0x7000]
    mov eax, [T_BASE + 0x7000]
    P "invlpg-map-b:"
    PF "val", 8, eax
    NL
    mov dword [pt1 + 7 * 4], frame_c + (PG_P | PG_W)
    mov eax, cr3
    mov cr3, eax
    mov eax, [T_BASE + 0x7000]
    P "cr3-reload-map-c:"
    PF "val", 8, eax
    NL
    mov eax, pd_alt
    mov cr3, eax
    mov eax, [T_BASE + 0x7000]
    mov ebx, cr3
    P "cr3-switch-alt:"
    PF "val", 8, eax
    PEQ "cr3_ok", ebx, pd_alt
    NL
    mov eax, pd
    mov cr3, eax
    mov eax, [T_BASE + 0x7000]
    P "cr3-switch-back:"
    PF "val", 8, eax
    NL
    mov dword [pt1 + 7 * 4], 0
    invlpg [T_BASE + 0x7000]
    BEGIN
    AT
    mov eax, [T_BASE + 0x7000]
    END "invlpg-unmapped"
    PF "cr2", 8, [exc_cr2]
    NL

    ; paging off again before returning
    mov eax, cr0
    and eax, ~0x80000000
    mov cr0, eax
    jmp .unpaged
.unpaged:
    ret

build_tables:
    ; PT0: identity 0..4 MiB, user RW
    xor ebx, ebx
.pt0:
    lea eax, [ebx * 4]
    shl eax, 10
    or eax, PG_P | PG_W | PG_U
    mov [pt0 + ebx * 4], eax
    ; PT1: identity 4..8 MiB, user RW (test entries patched below)
    add eax, 0x400000
    mov [pt1 + ebx * 4], eax
    mov [pt_alt + ebx * 4], eax
    ; PT2, PT3: identity 8..12 MiB and 12..16 MiB, user RW
    add eax, 0x400000
    mov [pt2 + ebx * 4], eax
    add eax, 0x400000
    mov [pt3 + ebx * 4], eax
    inc ebx
    cmp ebx, 1024
    jb .pt0
    mov dword [pt1 + 0 * 4], 0                                  ; 400000: not present
    mov dword [pt1 + 1 * 4], (T_BASE + 0x1000) | PG_P           ; 401000: supervisor RO
    mov dword [pt1 + 2 * 4], (T_BASE + 0x2000) | PG_P | PG_W    ; 402000: supervisor RW
    mov dword [pt1 + 3 * 4], (T_BASE + 0x3000) | PG_P | PG_U    ; 403000: user RO
    mov dword [pt1 + 6 * 4], 0                                  ; 406000: not present
    mov dword [pt_alt + 7 * 4], frame_b + (PG_P | PG_W)
    mov dword [pt_alt + 6 * 4], 0
    mov dword [pd + 0 * 4], pt0 + (PG_P | PG_W | PG_U)
    mov dword [pd + 1 * 4], pt1 + (PG_P | PG_W | PG_U)
    mov dword [pd + 2 * 4], pt2 + (PG_P | PG_U)                 ; 8 MiB: PDE read-only
    mov dword [pd + 3 * 4], pt3 + (PG_P | PG_W)                 ; 12 MiB: PDE supervisor
    mov dword [pd + 4 * 4], 0x000000 | PG_P | PG_W | PG_PS      ; 16 MiB: 4 MiB page -> 0
    mov dword [pd + 5 * 4], 0x200000 | PG_P | PG_W | PG_PS      ; 20 MiB: reserved bit 21 set
    mov dword [pd + 6 * 4], 0                                   ; 24 MiB: not present
    mov esi, pd
    mov edi, pd_alt
    mov ecx, 1024
    rep movsd
    mov dword [pd_alt + 1 * 4], pt_alt + (PG_P | PG_W | PG_U)
    ; test page contents
    mov dword [frame_a], 0xAAAA0001
    mov dword [frame_b], 0xBBBB0002
    mov dword [frame_c], 0xCCCC0003
    mov byte [T_BASE + 0x2000], 0xCD           ; int 30h at 402000 (supervisor page)
    mov byte [T_BASE + 0x2001], 0x30
    ret

; ---------------------------------------------------------------- ring 3
u_read:
    mov ax, UDATA | 3
    mov ds, ax
    mov ebx, [u_addr]
    mov eax, [ebx]
    int 0x30
u_write:
    mov ax, UDATA | 3
    mov ds, ax
    mov ebx, [u_addr]
    mov dword [ebx], 0x55AA55AA
    int 0x30
u_fetch_sup:
    jmp T_BASE + 0x2000

section .bss
alignb 4096
pd:         resd 1024
pd_alt:     resd 1024
pt0:        resd 1024
pt1:        resd 1024
pt2:        resd 1024
pt3:        resd 1024
pt_alt:     resd 1024
frame_a:    resb 4096
frame_b:    resb 4096
frame_c:    resb 4096
u_addr:     resd 1
magic:      resd 1
buf:        resd 16
