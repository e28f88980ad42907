(module
 (type $0 (func (param i32 i32) (result i32)))
 (type $1 (func (param i32) (result i32)))
 (import "env" "memory" (memory $mimport$0 0))
 (export "e0" (func $1))
 (func $0 (param $0 i32) (param $1 i32) (result i32)
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
  (local $23 i32)
  (local.set $2
   (i32.load offset=4096
    (i32.const 0)
   )
  )
  (local.set $3
   (i32.load offset=4100
    (i32.const 0)
   )
  )
  (local.set $4
   (i32.load offset=4104
    (i32.const 0)
   )
  )
  (local.set $5
   (i32.load offset=4108
    (i32.const 0)
   )
  )
  (local.set $6
   (i32.load offset=4112
    (i32.const 0)
   )
  )
  (local.set $7
   (i32.load offset=4116
    (i32.const 0)
   )
  )
  (local.set $8
   (i32.load offset=4120
    (i32.const 0)
   )
  )
  (local.set $9
   (i32.load offset=4124
    (i32.const 0)
   )
  )
  (local.set $10
   (i32.load offset=4136
    (i32.const 0)
   )
  )
  (local.set $11
   (i32.load offset=4140
    (i32.const 0)
   )
  )
  (local.set $12
   (i32.load offset=4144
    (i32.const 0)
   )
  )
  (local.set $13
   (i32.load offset=4148
    (i32.const 0)
   )
  )
  (local.set $15
   (i32.const 0)
  )
  (local.set $19
   (local.get $0)
  )
  (local.set $18
   (i32.shl
    (local.get $1)
    (i32.const 4)
   )
  )
  (block $block2
   (loop
    (block $block
     (block $block1
      (br_table $block $block $block1
       (local.get $19)
      )
     )
     (local.set $16
      (local.get $20)
     )
     (local.set $17
      (i32.add
       (local.get $15)
       (i32.const 0)
      )
     )
     (br $block2)
    )
    (loop $label
     (local.set $21
      (local.get $2)
     )
     (local.set $22
      (local.get $3)
     )
     (local.set $23
      (i32.add
       (local.get $21)
       (local.get $22)
      )
     )
     (local.set $11
      (local.get $23)
     )
     (local.set $12
      (local.get $21)
     )
     (local.set $13
      (local.get $22)
     )
     (local.set $2
      (local.get $23)
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
        (local.get $11)
        (local.get $12)
       )
      )
     )
     (local.set $23
      (local.get $3)
     )
     (local.set $22
      (i32.sub
       (local.get $23)
       (i32.const 1)
      )
     )
     (local.set $11
      (local.get $22)
     )
     (local.set $12
      (local.get $23)
     )
     (local.set $13
      (i32.const 1)
     )
     (local.set $3
      (local.get $22)
     )
     (local.set $22
      (i32.eqz
       (i32.eqz
        (local.get $11)
       )
      )
     )
     (local.set $10
      (i32.const 30)
     )
     (if
      (local.get $22)
      (then
       (if
        (i32.gt_s
         (i32.add
          (local.get $15)
          (i32.const 96)
         )
         (local.get $18)
        )
        (then
         (local.set $16
          (i32.const 65536)
         )
         (local.set $17
          (i32.add
           (local.get $15)
           (i32.const 48)
          )
         )
         (br $block2)
        )
       )
       (local.set $15
        (i32.add
         (local.get $15)
         (i32.const 48)
        )
       )
       (br $label)
      )
     )
     (local.set $16
      (i32.const 65541)
     )
     (local.set $17
      (i32.add
       (local.get $15)
       (i32.const 48)
      )
     )
     (br $block2)
    )
   )
   (unreachable)
  )
  (i32.store offset=4096
   (i32.const 0)
   (local.get $2)
  )
  (i32.store offset=4100
   (i32.const 0)
   (local.get $3)
  )
  (i32.store offset=4136
   (i32.const 0)
   (local.get $10)
  )
  (i32.store offset=4140
   (i32.const 0)
   (local.get $11)
  )
  (i32.store offset=4144
   (i32.const 0)
   (local.get $12)
  )
  (i32.store offset=4148
   (i32.const 0)
   (local.get $13)
  )
  (i32.store offset=4128
   (i32.const 0)
   (local.get $16)
  )
  (return
   (local.get $17)
  )
 )
 (func $1 (param $0 i32) (result i32)
  (call $0
   (i32.const 0)
   (local.get $0)
  )
 )
)
