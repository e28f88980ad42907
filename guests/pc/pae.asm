; pae: PAE paging, execute-disable, reserved bits and global pages.
;
; Behaviour under test (Intel SDM):
;   Vol. 2 CPUID leaves 1 (EDX.PSE[3], PAE[6], PGE[13]) and 80000001h
;       (EDX.NX[20]) -- printed first;
;   Vol. 3A §4.4 PAE paging: CR4.PAE, the 4-entry PDPT (§4.4.1: PDPTEs are
;       loaded by MOV to CR3; a present PDPTE with a reserved bit set makes
;       the MOV to CR3 fault with #GP(0)), 4-KiB and 2-MiB pages;
;   Vol. 3A §4.6 / §4.7: execute-disable (IA32_EFER.NXE, MSR C0000080h bit 11):
;       an instruction fetch from a page whose PTE, PDE (2-MiB page) or
;       referencing PDE has XD=1 gives #PF with the I/D bit (bit 4) set;
;       with NXE=0 the XD bit is reserved (RSVD, bit 3); reserved physical-
;       address bits (bit 51 of a PTE) and bit 13 of a 2-MiB PDE give RSVD;
;       an instruction straddling into an XD page faults with CR2 = the
;       XD page and EIP = the instruction;
;   Vol. 3A §4.8 accessed/dirty flags in PAE entries; §4.10.2.4 / §4.10.4
;       global pages (CR4.PGE): INVLPG and toggling CR4.PGE invalidate them
;       (only values seen after an invalidation are printed).

%include "boot.inc"

%define PG_P    0x001
%define PG_W    0x002
%define PG_U    0x004
%define PG_A    0x020
%define PG_D    0x040
%define PG_PS   0x080
%define PG_G    0x100
%define XD_HI   0x80000000      ; bit 63, in the high dword

%define T_BASE  0x400000        ; PT_T covers 4..6 MiB

; SETE64 address, low, high
%macro SETE64 3
    mov dword [%1], %2
    mov dword [%1 + 4], %3
%endmacro

main:
    ; ---- CPUID
    mov eax, 1
    cpuid
    mov [rec], edx
    mov eax, 0x80000000
    cpuid
    xor edx, edx
    cmp eax, 0x80000001
    jb .noext
    mov eax, 0x80000001
    cpuid
.noext:
    mov [rec + 4], edx
    P "cpuid:"
    PBIT "pse", [rec], 3
    PBIT "pae", [rec], 6
    PBIT "pge", [rec], 13
    PBIT "nx", [rec + 4], 20
    NL

    call build_tables
    mov eax, cr4
    or eax, 1 << 5              ; PAE
    mov cr4, eax
    mov eax, pdpt
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    jmp .paged
.paged:
    mov eax, cr4
    P "pae-on:"
    PBIT "cr4_pae", eax, 5
    NL

    ; ---- 2-MiB pages, accessed/dirty
    mov dword [magic], 0x32323232
    mov eax, [0x800000 + magic]
    P "pde-2m-read:"
    PF "val", 8, eax
    PF "pde", 8, [pd0 + 4 * 8]
    NL
    mov dword [0x800000 + magic], 0x23232323
    P "pde-2m-write:"
    PF "val", 8, [magic]
    PF "pde", 8, [pd0 + 4 * 8]
    NL
    P "pte-ad-initial:"
    PF "pte", 8, [pt_t + 7 * 8]
    NL
    mov eax, [T_BASE + 0x7000]
    P "pte-ad-read:"
    PF "pte", 8, [pt_t + 7 * 8]
    NL
    mov dword [T_BASE + 0x7000], eax
    P "pte-ad-write:"
    PF "pte", 8, [pt_t + 7 * 8]
    PF "pte_hi", 8, [pt_t + 7 * 8 + 4]
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
    mov dword [0x40000010], 0
    END "pf-write-np-pdpte"
    PF "cr2", 8, [exc_cr2]
    NL

    ; ---- XD bit while EFER.NXE = 0: reserved
    BEGIN
    AT
    mov eax, [T_BASE + 0x1000]
    END "pf-xd-nxe0-read"
    PF "cr2", 8, [exc_cr2]
    NL
    BEGIN
    call T_BASE + 0x1000
    ENDX "pf-xd-nxe0-fetch"
    PF "cr2", 8, [exc_cr2]
    NL

    ; ---- EFER.NXE = 1
    mov ecx, 0xC0000080
    rdmsr
    or eax, 1 << 11
    wrmsr
    rdmsr
    P "efer:"
    PBIT "nxe", eax, 11
    NL
    BEGIN
    AT
    mov eax, [T_BASE + 0x1000]
    END "nx-page-read"
    PF "val", 8, [T_BASE + 0x1000]
    NL
    BEGIN
    call T_BASE + 0x1000
    ENDX "pf-nx-fetch"
    PF "cr2", 8, [exc_cr2]
    PF "eip", 8, [exc_eip]
    NL
    USER u_call_nx
    REPORT "pf-nx-user-fetch"
    PF "cr2", 8, [exc_cr2]
    NL
    USER u_call_x
    REPORT "user-fetch-exec-page"
    PF "eip", 8, [exc_eip]
    NL
    BEGIN
    call T_BASE + 0x3FFD
    ENDX "pf-nx-straddle"
    PF "cr2", 8, [exc_cr2]
    PF "eip", 8, [exc_eip]
    NL
    BEGIN
    call 0xC00000
    ENDX "pf-nx-2m-page"
    PF "cr2", 8, [exc_cr2]
    NL
    BEGIN
    call 0xE00000
    ENDX "pf-nx-in-pde"
    PF "cr2", 8, [exc_cr2]
    NL
    BEGIN
    call 0xE01000
    ENDX "pf-nx-pde-pte-clear"
    PF "cr2", 8, [exc_cr2]
    PF "ran", 8, [rec + 8]
    NL

    ; ---- reserved bits
    BEGIN
    AT
    mov eax, [T_BASE + 0x5000]
    END "pf-rsvd-pte-read"
    PF "cr2", 8, [exc_cr2]
    NL
    BEGIN
    AT
    mov dword [T_BASE + 0x5000], eax
    END "pf-rsvd-pte-write"
    NL
    BEGIN
    call T_BASE + 0x5000
    ENDX "pf-rsvd-pte-fetch"
    NL
    mov dword [u_addr], T_BASE + 0x5000
    USER u_read
    REPORT "pf-rsvd-pte-user-read"
    NL
    BEGIN
    AT
    mov eax, [0xA00000]
    END "pf-rsvd-2m-pde"
    PF "cr2", 8, [exc_cr2]
    NL
    BEGIN
    mov eax, pdpt_bad
    AT
    mov cr3, eax
    mov eax, pdpt
    mov cr3, eax
    END "cr3-pdpte-rsvd"
    mov eax, cr3
    PEQ "cr3_ok", eax, pdpt
    NL

    ; ---- rights
    mov dword [u_addr], 0x800000
    USER u_read
    REPORT "pf-user-read-sup-2m"
    PF "cr2", 8, [exc_cr2]
    NL
    mov dword [u_addr], T_BASE + 0x6000
    USER u_write
    REPORT "pf-user-write-ro"
    PF "cr2", 8, [exc_cr2]
    NL
    BEGIN
    AT
    mov dword [T_BASE + 0x6000], 1
    END "sup-write-ro-wp0"
    NL
    mov eax, cr0
    or eax, 1 << 16
    mov cr0, eax
    BEGIN
    AT
    mov dword [T_BASE + 0x6000], 2
    END "pf-sup-write-ro-wp1"
    PF "cr2", 8, [exc_cr2]
    NL
    mov eax, cr0
    and eax, ~(1 << 16)
    mov cr0, eax

    ; ---- global pages
    mov eax, cr4
    or eax, 1 << 7              ; PGE
    mov cr4, eax
    mov eax, cr4
    P "pge-on:"
    PBIT "cr4_pge", eax, 7
    NL
    SETE64 pt_t + 8 * 8, frame_a + (PG_P | PG_W | PG_G), 0
    invlpg [T_BASE + 0x8000]
    mov eax, [T_BASE + 0x8000]
    P "global-map-a:"
    PF "val", 8, eax
    PF "pte", 3, [pt_t + 8 * 8]
    NL
    SETE64 pt_t + 8 * 8, frame_b + (PG_P | PG_W | PG_G), 0
    invlpg [T_BASE + 0x8000]
    mov eax, [T_BASE + 0x8000]
    P "global-invlpg-map-b:"
    PF "val", 8, eax
    NL
    SETE64 pt_t + 8 * 8, frame_c + (PG_P | PG_W | PG_G), 0
    mov eax, cr4
    and eax, ~(1 << 7)
    mov cr4, eax
    or eax, 1 << 7
    mov cr4, eax
    mov eax, [T_BASE + 0x8000]
    P "global-pge-toggle-map-c:"
    PF "val", 8, eax
    NL
    SETE64 pt_t + 8 * 8, frame_a + (PG_P | PG_W), 0
    mov eax, cr4
    and eax, ~(1 << 7)
    mov cr4, eax
    mov eax, [T_BASE + 0x8000]
    P "nonglobal-map-a:"
    PF "val", 8, eax
    NL
    SETE64 pt_t + 8 * 8, frame_b + (PG_P | PG_W), 0
    mov eax, cr3
    mov cr3, eax
    mov eax, [T_BASE + 0x8000]
    P "nonglobal-cr3-map-b:"
    PF "val", 8, eax
    NL

    ; back to unpaged, EFER.NXE off
    mov eax, cr0
    and eax, ~0x80000000
    mov cr0, eax
    jmp .unpaged
.unpaged:
    mov eax, cr4
    and eax, ~(1 << 5)
    mov cr4, eax
    mov ecx, 0xC0000080
    rdmsr
    and eax, ~(1 << 11)
    wrmsr
    ret

build_tables:
    ; PT0: identity 0..2 MiB, user RW
    xor ebx, ebx
.pt0:
    mov eax, ebx
    shl eax, 12
    or eax, PG_P | PG_W | PG_U
    mov [pt0 + ebx * 8], eax
    add eax, T_BASE
    mov [pt_t + ebx * 8], eax
    add eax, 0xE00000 - T_BASE
    mov [pt_x + ebx * 8], eax
    inc ebx
    cmp ebx, 512
    jb .pt0
    SETE64 pdpt + 0, pd0 + PG_P, 0
    SETE64 pdpt_bad + 0, pd0 + PG_P, 0
    SETE64 pdpt_bad + 8, pd0 + (PG_P | PG_W), 0     ; bit 1 is reserved in a PDPTE
    SETE64 pd0 + 0 * 8, pt0 + (PG_P | PG_W | PG_U), 0
    SETE64 pd0 + 1 * 8, 0x200000 | PG_P | PG_W | PG_U | PG_PS, 0
    SETE64 pd0 + 2 * 8, pt_t + (PG_P | PG_W | PG_U), 0
    SETE64 pd0 + 3 * 8, 0x600000 | PG_P | PG_W | PG_U | PG_PS, 0
    SETE64 pd0 + 4 * 8, 0x000000 | PG_P | PG_W | PG_PS, 0              ; 8 MiB -> 0, supervisor
    SETE64 pd0 + 5 * 8, 0xA00000 | PG_P | PG_W | PG_PS | (1 << 13), 0  ; reserved bit 13
    SETE64 pd0 + 6 * 8, 0xC00000 | PG_P | PG_W | PG_PS, XD_HI          ; XD 2-MiB page
    SETE64 pd0 + 7 * 8, pt_x + (PG_P | PG_W), XD_HI                    ; XD in the PDE only
    ; test PTEs
    SETE64 pt_t + 0 * 8, 0, 0                                          ; not present
    SETE64 pt_t + 1 * 8, (T_BASE + 0x1000) | PG_P | PG_W | PG_U, XD_HI ; XD user page
    SETE64 pt_t + 4 * 8, (T_BASE + 0x4000) | PG_P | PG_W, XD_HI        ; XD page
    SETE64 pt_t + 5 * 8, (T_BASE + 0x5000) | PG_P | PG_W | PG_U, 1 << (51 - 32)
    SETE64 pt_t + 6 * 8, (T_BASE + 0x6000) | PG_P | PG_U, 0            ; read-only
    ; code in the test pages (physical = linear)
    mov dword [T_BASE + 0x1000], 0x111111B8     ; mov eax, 11111111h ; ret
    mov word [T_BASE + 0x1004], 0xC311
    mov word [T_BASE + 0x2000], 0x30CD          ; int 30h
    mov byte [T_BASE + 0x3FFD], 0xB8            ; mov eax, 12345678h straddling into 404000
    mov word [T_BASE + 0x3FFE], 0x5678
    mov word [T_BASE + 0x4000], 0x1234
    mov byte [T_BASE + 0x4002], 0xC3
    mov byte [T_BASE + 0x5000], 0xC3
    mov byte [0xC00000], 0xC3
    mov byte [0xE00000], 0xC3
    mov dword [0xE01000], 0xE0E0E0B8            ; mov eax, E0E0E0E0h ; mov [rec+8], eax ; ret
    mov byte [0xE01004], 0xE0
    mov byte [0xE01005], 0xA3
    mov dword [0xE01006], rec + 8
    mov byte [0xE0100A], 0xC3
    mov dword [frame_a], 0xAAAA0001
    mov dword [frame_b], 0xBBBB0002
    mov dword [frame_c], 0xCCCC0003
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
u_call_nx:
    call T_BASE + 0x1000
    int 0x30
u_call_x:
    call T_BASE + 0x2000
    int 0x30

section .bss
alignb 4096
pdpt:       resq 4
alignb 32
pdpt_bad:   resq 4
alignb 4096
pd0:        resq 512
pt0:        resq 512
pt_t:       resq 512
pt_x:       resq 512
frame_a:    resb 4096
frame_b:    resb 4096
frame_c:    resb 4096
u_addr:     resd 1
magic:      resd 1
rec:        resd 8
