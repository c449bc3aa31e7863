graph [
  directed 1
  node [ id 10 label "alice" ]
  node [ id 20 label "bob" ]
  node [ id 30 label "carol" ]
  node [ id 40 label "dave" ]
  edge [ source 10 target 20 ]
  edge [ source 20 target 10 ]
  edge [ source 20 target 30 ]
  edge [ source 30 target 10 ]
  edge [ source 40 target 10 ]
]
