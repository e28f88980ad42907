(module
 (type $0 (func (result i32)))
 (import "env" "memory" (memory $mimport$0 0))
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
  (local $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local $16 i32)
  (local $17 i32)
  (local $18 i32)
  (local $19 i32)
  (local $20 i32)
  (local $21 i32)
  (local $22 i32)
  (local.set $0
   (i32.load offset=4096
    (i32.const 0)
   )
  )
  (local.set $11
   (local.get $0)
  )
  (local.set $1
   (i32.load offset=4100
    (i32.const 0)
   )
  )
  (local.set $12
   (local.get $1)
  )
  (local.set $13
   (i32.add
    (local.get $11)
    (local.get $12)
   )
  )
  (local.set $15
   (local.get $11)
  )
  (local.set $16
   (local.get $12)
  )
  (local.set $14
   (local.get $13)
  )
  (local.set $8
   (local.get $14)
  )
  (local.set $9
   (local.get $15)
  )
  (local.set $10
   (local.get $16)
  )
  (local.set $0
   (local.get $13)
  )
  (i32.store offset=4132
   (i32.const 0)
   (i32.or
    (i32.and
     (i32.load offset=4132
      (i32.const 0)
     )
     (i32.const -2)
    )
    (i32.lt_u
     (local.get $8)
     (local.get $9)
    )
   )
  )
  (local.set $17
   (local.get $1)
  )
  (local.set $18
   (i32.sub
    (local.get $17)
    (i32.const 1)
   )
  )
  (local.set $20
   (local.get $17)
  )
  (local.set $21
   (i32.const 1)
  )
  (local.set $19
   (local.get $18)
  )
  (local.set $8
   (local.get $19)
  )
  (local.set $9
   (local.get $20)
  )
  (local.set $10
   (local.get $21)
  )
  (local.set $1
   (local.get $18)
  )
  (local.set $22
   (i32.eqz
    (i32.eqz
     (local.get $8)
    )
   )
  )
  (i32.store offset=4096
   (i32.const 0)
   (local.get $0)
  )
  (i32.store offset=4100
   (i32.const 0)
   (local.get $1)
  )
  (i32.store offset=4136
   (i32.const 0)
   (i32.const 30)
  )
  (i32.store offset=4140
   (i32.const 0)
   (local.get $8)
  )
  (i32.store offset=4144
   (i32.const 0)
   (local.get $9)
  )
  (i32.store offset=4148
   (i32.const 0)
   (local.get $10)
  )
  (if
   (local.get $22)
   (then
    (i32.store offset=4128
     (i32.const 0)
     (i32.const 65536)
    )
    (return
     (i32.const 48)
    )
   )
  )
  (i32.store offset=4128
   (i32.const 0)
   (i32.const 65541)
  )
  (return
   (i32.const 48)
  )
 )
)
