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
  (local $24 i32)
  (local $25 i32)
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
   (loop $label
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
    (local.set $21
     (i32.add
      (local.get $7)
      (i32.const 8)
     )
    )
    (local.set $22
     (i32.load offset=4194304
      (i32.shl
       (i32.shr_u
        (local.get $21)
        (i32.const 12)
       )
       (i32.const 2)
      )
     )
    )
    (if
     (i32.and
      (i32.eq
       (i32.and
        (local.get $22)
        (i32.const 1)
       )
       (i32.const 1)
      )
      (i32.le_u
       (i32.and
        (local.get $21)
        (i32.const 4095)
       )
       (i32.const 4092)
      )
     )
     (then
      (local.set $23
       (i32.load
        (i32.add
         (i32.and
          (local.get $22)
          (i32.const -4096)
         )
         (i32.and
          (local.get $21)
          (i32.const 4095)
         )
        )
       )
      )
     )
     (else
      (local.set $16
       (i32.const 65536)
      )
      (local.set $17
       (i32.add
        (local.get $15)
        (i32.const 2)
       )
      )
      (br $block2)
     )
    )
    (local.set $2
     (local.get $23)
    )
    (local.set $23
     (i32.add
      (local.get $7)
      (i32.const 12)
     )
    )
    (local.set $22
     (i32.load offset=4194304
      (i32.shl
       (i32.shr_u
        (local.get $23)
        (i32.const 12)
       )
       (i32.const 2)
      )
     )
    )
    (if
     (i32.and
      (i32.eq
       (i32.and
        (local.get $22)
        (i32.const 13)
       )
       (i32.const 1)
      )
      (i32.le_u
       (i32.and
        (local.get $23)
        (i32.const 4095)
       )
       (i32.const 4092)
      )
     )
     (then
      (local.set $21
       (i32.load
        (i32.add
         (i32.and
          (local.get $22)
          (i32.const -4096)
         )
         (i32.and
          (local.get $23)
          (i32.const 4095)
         )
        )
       )
      )
     )
     (else
      (local.set $16
       (i32.const 65539)
      )
      (local.set $17
       (i32.add
        (local.get $15)
        (i32.const 18)
       )
      )
      (br $block2)
     )
    )
    (local.set $24
     (local.get $2)
    )
    (local.set $25
     (i32.add
      (local.get $21)
      (local.get $24)
     )
    )
    (i32.store
     (i32.add
      (i32.and
       (local.get $22)
       (i32.const -4096)
      )
      (i32.and
       (local.get $23)
       (i32.const 4095)
      )
     )
     (local.get $25)
    )
    (local.set $11
     (local.get $25)
    )
    (local.set $12
     (local.get $21)
    )
    (local.set $13
     (local.get $24)
    )
    (local.set $24
     (local.get $6)
    )
    (local.set $21
     (i32.load offset=4194304
      (i32.shl
       (i32.shr_u
        (local.get $24)
        (i32.const 12)
       )
       (i32.const 2)
      )
     )
    )
    (if
     (i32.and
      (i32.eq
       (i32.and
        (local.get $21)
        (i32.const 1)
       )
       (i32.const 1)
      )
      (i32.le_u
       (i32.and
        (local.get $24)
        (i32.const 4095)
       )
       (i32.const 4092)
      )
     )
     (then
      (local.set $22
       (i32.load
        (i32.add
         (i32.and
          (local.get $21)
          (i32.const -4096)
         )
         (i32.and
          (local.get $24)
          (i32.const 4095)
         )
        )
       )
      )
     )
     (else
      (local.set $10
       (i32.const 6)
      )
      (local.set $16
       (i32.const 65542)
      )
      (local.set $17
       (i32.add
        (local.get $15)
        (i32.const 34)
       )
      )
      (br $block2)
     )
    )
    (local.set $25
     (local.get $22)
    )
    (local.set $6
     (i32.add
      (local.get $6)
      (i32.const 4)
     )
    )
    (local.set $10
     (i32.const 6)
    )
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
       (local.get $25)
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
    (local.set $19
     (i32.sub
      (local.tee $20
       (local.get $25)
      )
      (i32.const 65536)
     )
    )
    (local.set $19
     (select
      (i32.add
       (local.get $19)
       (i32.const 1)
      )
      (i32.const -1)
      (i32.lt_u
       (local.get $19)
       (i32.const 1)
      )
     )
    )
    (br $label)
   )
   (unreachable)
  )
  (i32.store offset=4096
   (i32.const 0)
   (local.get $2)
  )
  (i32.store offset=4112
   (i32.const 0)
   (local.get $6)
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
