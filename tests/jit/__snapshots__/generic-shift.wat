(module
 (type $0 (func))
 (type $1 (func (param i32 i32 i32 i32 i32 i32 i32)))
 (type $2 (func (result i32)))
 (import "env" "memory" (memory $mimport$0 0))
 (import "core" "faulted" (global $gimport$0 (mut i32)))
 (import "core" "exitReason" (global $gimport$1 (mut i32)))
 (import "core" "jitInvalidated" (global $gimport$2 (mut i32)))
 (import "core" "shift_EvIb" (func $fimport$0))
 (import "core" "jitSetup" (func $fimport$1 (param i32 i32 i32 i32 i32 i32 i32)))
 (import "core" "hlt" (func $fimport$2))
 (export "b0" (func $0))
 (func $0 (result i32)
  (local $0 i32)
  (local $1 i32)
  (local $2 i32)
  (local $3 i32)
  (local $4 i32)
  (local $5 i32)
  (local $6 i32)
  (local $7 i32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (call $fimport$1
   (i32.const 473940161)
   (i32.const 0)
   (i32.const 3)
   (i32.const 0)
   (i32.const 65536)
   (i32.const 65539)
   (i32.const 0)
  )
  (call $fimport$0)
  (if
   (i32.or
    (global.get $gimport$0)
    (global.get $gimport$1)
   )
   (then
    (return
     (i32.const 17)
    )
   )
  )
  (if
   (global.get $gimport$2)
   (then
    (return
     (i32.const 16)
    )
   )
  )
  (call $fimport$1
   (i32.const 406716660)
   (i32.const 0)
   (i32.const 0)
   (i32.const 0)
   (i32.const 65539)
   (i32.const 65540)
   (i32.const 1)
  )
  (call $fimport$2)
  (if
   (i32.or
    (global.get $gimport$0)
    (global.get $gimport$1)
   )
   (then
    (return
     (i32.const 33)
    )
   )
  )
  (if
   (global.get $gimport$2)
   (then
    (return
     (i32.const 32)
    )
   )
  )
  (return
   (i32.const 32)
  )
 )
)
