# Data Cube normalization algorithm, phase 2 (section 10.2, "Push down attachment levels"):
# components attached to the data set or to a slice are copied onto each observation.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>

INSERT { ?obs ?comp ?value } WHERE {
    ?spec    qb:componentProperty ?comp ;
             qb:componentAttachment qb:DataSet .
    ?dataset qb:structure [qb:component ?spec] ;
             ?comp ?value .
    ?obs     qb:dataSet ?dataset .
} ;
INSERT { ?obs ?comp ?value } WHERE {
    ?spec    qb:componentProperty ?comp ;
             qb:componentAttachment qb:Slice .
    ?dataset qb:structure [qb:component ?spec] .
    ?slice   qb:observation ?obs ;
             ?comp ?value .
    ?obs     qb:dataSet ?dataset .
} ;
INSERT { ?obs ?comp ?value } WHERE {
    ?spec    qb:componentProperty ?comp .
    ?comp a qb:DimensionProperty .
    ?dataset qb:structure [qb:component ?spec] ;
             qb:slice ?slice .
    ?slice qb:observation ?obs .
    ?slice ?comp ?value .
}
